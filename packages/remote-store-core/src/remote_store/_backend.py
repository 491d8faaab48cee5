"""The Backend ABC: the storage code a backend author writes.

A backend works on *backend keys*: normalised, ``/``-separated, relative to the
backend's root (``""`` is the root). The :class:`~remote_store.Store` validates paths,
gates on capabilities, checks metadata, maps native exceptions through
:meth:`Backend.map_error` and rebases results, so a backend only moves bytes.

Only :attr:`name`, :meth:`read` and :meth:`get_file_info` are abstract. Every other
method has a default: generic ones derived from the primitives (``read_bytes``,
``exists``, ``copy``, ``move``, ``open_atomic``, ``get_folder_info``...), and the
primitives a backend does not offer refuse with :class:`CapabilityNotSupported`.
"""

from __future__ import annotations

import abc
import errno
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import IO, Any, BinaryIO, ClassVar, TypeVar

from remote_store._capabilities import Capability, CapabilitySet, not_supported
from remote_store._glob import glob_by_listing
from remote_store._models import (
    FileInfo,
    FolderEntry,
    FolderInfo,
    FolderSemantics,
    ResolutionPlan,
    WriteResult,
)
from remote_store._path import RemotePath
from remote_store._pickling import backend_reduce, backend_token, record_init
from remote_store._streams import WritableContent, spool
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)

__all__ = [
    "METHODS_OF_CAPABILITY",
    "Backend",
    "SpooledAtomicWrite",
    "join_key",
    "missing_methods",
    "parent_key",
]

T = TypeVar("T")

_ERRNO_ERRORS: dict[int, type[RemoteStoreError]] = {
    errno.ENOENT: NotFound,
    errno.EEXIST: AlreadyExists,
    errno.EACCES: PermissionDenied,
    errno.EPERM: PermissionDenied,
    errno.EISDIR: InvalidPath,
    errno.ENOTDIR: InvalidPath,
    errno.ENOTEMPTY: DirectoryNotEmpty,
    errno.ENAMETOOLONG: InvalidPath,
    errno.ELOOP: InvalidPath,
    errno.ETIMEDOUT: BackendUnavailable,
    errno.ECONNREFUSED: BackendUnavailable,
    errno.ECONNRESET: BackendUnavailable,
    errno.EHOSTUNREACH: BackendUnavailable,
}


#: The methods a backend class must override when it declares each capability (the
#: others have working defaults derived from the primitives).
METHODS_OF_CAPABILITY: dict[Capability, tuple[str, ...]] = {
    Capability.WRITE: ("write",),
    Capability.DELETE: ("delete",),
    Capability.LIST: ("list_files",),
    Capability.ATOMIC_WRITE: ("write_atomic",),
    Capability.CONDITIONAL_WRITE: ("write_conditional",),
    Capability.BULK_DELETE: ("delete_many",),
}


_PRIMITIVES = ("name", "read", "get_file_info")


def missing_methods(cls: type, base: type) -> dict[Capability, list[str]]:
    """Declared capabilities of ``cls`` whose methods it still inherits from ``base``."""
    declared: CapabilitySet = getattr(cls, "CAPABILITIES", CapabilitySet())
    missing: dict[Capability, list[str]] = {}
    for capability, names in METHODS_OF_CAPABILITY.items():
        if capability in declared:
            absent = [n for n in names if getattr(cls, n, None) is getattr(base, n, None)]
            if absent:
                missing[capability] = absent
    return missing


def check_declared_methods(cls: type, base: type) -> None:
    """Refuse (``TypeError``) a concrete backend class that declares a capability whose
    method it does not implement: the kit would fail it, and callers would get a refusal
    of a capability the backend claims."""
    if any(getattr(getattr(cls, n, None), "__isabstractmethod__", False) for n in _PRIMITIVES):
        return  # an intermediate base class; its concrete subclasses are checked
    missing = missing_methods(cls, base)
    if missing:
        detail = "; ".join(f"{c.value}: {', '.join(names)}" for c, names in missing.items())
        raise TypeError(
            f"{cls.__qualname__} declares capabilities without their methods ({detail})"
        )


def join_key(folder: str, name: str) -> str:
    """``folder/name``, where ``""`` is the root."""
    return f"{folder}/{name}" if folder else name


def parent_key(key: str) -> str:
    """The parent of a backend key (``""`` for a top-level key)."""
    return key.rpartition("/")[0]


class Backend(abc.ABC):
    """Base class of every synchronous storage backend."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # The constructor's arguments are what a pickle carries (remote_store._pickling).
        instance = super().__new__(cls)
        record_init(instance, args, kwargs)
        return instance

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the constructor's arguments: no client, lock or socket; secrets by
        reference (:class:`~remote_store.errors.SecretNotPicklable` for inline ones)."""
        return backend_reduce(self)

    def __dask_tokenize__(self) -> object:
        """A token from the class and options (secrets by reference), stable across builds."""
        return backend_token(self)

    #: Everything this class can do; ``capabilities`` may narrow it per instance.
    CAPABILITIES: ClassVar[CapabilitySet] = CapabilitySet()
    #: How this class's folders behave (``FLAT`` unless declared); ``folder_semantics``
    #: may differ per instance (an option refusing writes below a file, for example).
    FOLDER_SEMANTICS: ClassVar[FolderSemantics] = FolderSemantics.FLAT
    #: The data lives in this process's memory (the memory backend): storing N bytes
    #: costs N bytes of this process, which the conformance kit's memory rules allow for.
    IN_PROCESS_STORAGE: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check_declared_methods(cls, Backend)

    # -- identity ---------------------------------------------------------------------

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The backend's type name, for example ``"s3"``."""

    @property
    def location(self) -> str:
        """Where this instance keeps its data, for error messages: for example
        ``"s3 bucket 'lake'"`` or ``"local folder '/srv/data'"``.

        Defaults to :attr:`name`. Override it to name the bucket, container, host or
        folder; it starts with :attr:`name` and must never contain a secret (pass URLs
        through :func:`~remote_store.backend.redact_url`). Computed without I/O.
        """
        return self.name

    @property
    def capabilities(self) -> CapabilitySet:
        """What this instance can do (defaults to the class's ``CAPABILITIES``)."""
        return type(self).CAPABILITIES

    @property
    def folder_semantics(self) -> FolderSemantics:
        """This instance's folder semantics (defaults to the class's ``FOLDER_SEMANTICS``)."""
        return type(self).FOLDER_SEMANTICS

    @property
    def in_process_storage(self) -> bool:
        """Whether this instance keeps its data in this process's memory."""
        return type(self).IN_PROCESS_STORAGE

    def _refuse(self, capability: Capability, path: str | None = None) -> CapabilityNotSupported:
        return not_supported(capability, self.capabilities, self.name, path)

    # -- the primitives ---------------------------------------------------------------

    @abc.abstractmethod
    def read(self, path: str) -> BinaryIO:
        """Open the file for reading; the caller closes the stream."""

    @abc.abstractmethod
    def get_file_info(self, path: str) -> FileInfo:
        """Metadata of the file; :class:`NotFound` if missing, :class:`InvalidPath` if a folder."""

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Create or replace a file, creating parents as needed."""
        raise self._refuse(Capability.WRITE, path)

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """Remove a file."""
        raise self._refuse(Capability.DELETE, path)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        """Remove a folder; only an empty one unless ``recursive``."""
        raise self._refuse(Capability.DELETE, path)

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        """Files under ``path`` in ascending key order (a folder sorts as ``name/``)."""
        raise self._refuse(Capability.LIST, path)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        """Immediate subfolders of ``path`` in ascending order."""
        raise self._refuse(Capability.LIST, path)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        """Files matching a glob pattern (``*``, ``?``, ``**``) in ascending order.

        When ``GLOB`` is declared, the default lists from the pattern's literal prefix and
        filters with the shared glob semantics; override it where the service matches.
        """
        if Capability.GLOB in self.capabilities and Capability.LIST in self.capabilities:
            return glob_by_listing(self, pattern)
        raise self._refuse(Capability.GLOB, pattern)

    def write_conditional(
        self,
        path: str,
        content: WritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Write only while a precondition holds, checked by the service itself.

        ``if_match=etag`` replaces the file only while its etag is still ``etag``;
        ``if_none_match="*"`` creates it only while nothing exists there. Exactly one of
        them is given. A failed condition raises :class:`PreconditionFailed` and writes
        nothing. Declare ``CONDITIONAL_WRITE`` when you implement it.
        """
        raise self._refuse(Capability.CONDITIONAL_WRITE, path)

    def delete_many(
        self, paths: Sequence[str], *, missing_ok: bool = False
    ) -> Mapping[str, BaseException | None]:
        """Delete many files in few requests; one outcome per key.

        Returns an entry for every key of ``paths``: ``None`` when it was deleted (or was
        missing and ``missing_ok``), else its error (a ``RemoteStoreError`` or a native
        exception, mapped through :meth:`map_error`): ``NotFound`` for a missing key
        without ``missing_ok``, ``InvalidPath`` for a folder, as :meth:`delete` would.
        Receives at most 1000 keys per call. Declare ``BULK_DELETE`` when you implement it.
        """
        raise self._refuse(Capability.BULK_DELETE)

    # -- derived operations with generic defaults -------------------------------------

    def is_file(self, path: str) -> bool:
        """Whether ``path`` is a file (never raises for a missing path)."""
        if path == "":
            return False
        try:
            self.get_file_info(path)
        except Exception as exc:
            if self._means_absent(exc, path):
                return False
            raise
        return True

    def is_folder(self, path: str) -> bool:
        """Whether ``path`` is a folder; the root always is."""
        if path == "":
            return True
        if Capability.LIST not in self.capabilities:
            return False
        try:
            for _ in self.iter_children(path):
                return True
        except Exception as exc:
            if self._means_absent(exc, path):
                return False
            raise
        return False

    def _means_absent(self, exc: Exception, path: str) -> bool:
        # One rule for the derived queries, the same the Store applies: an error that
        # map_error classifies as NotFound or InvalidPath (a native FileNotFoundError,
        # a 404...) answers "no"; anything else is a real failure.
        return isinstance(self.map_error(exc, path), (NotFound, InvalidPath))

    def exists(self, path: str) -> bool:
        """Whether ``path`` is a file or a folder."""
        return self.is_file(path) or self.is_folder(path)

    def read_bytes(self, path: str) -> bytes:
        """The whole file in memory."""
        with self.read(path) as stream:
            return stream.read()

    def read_seekable(self, path: str) -> BinaryIO:
        """A seekable stream: the native one when it seeks, else a spool (8 MiB RAM, then disk)."""
        stream = self.read(path)
        if stream.seekable():
            return stream
        with stream:
            return spool(stream)  # type: ignore[return-value]

    def write_atomic(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Write so that readers see the old file or the whole new one, never a part."""
        raise self._refuse(Capability.ATOMIC_WRITE, path)

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AbstractContextManager[BinaryIO]:
        """A context manager giving a writable stream, committed on a clean exit.

        The default spools (memory up to 8 MiB, then disk) and commits through
        :meth:`write_atomic`; nothing is written when the body raises. The returned object
        has ``result`` (a :class:`WriteResult`) after the commit.
        """
        if Capability.ATOMIC_WRITE not in self.capabilities:
            raise self._refuse(Capability.ATOMIC_WRITE, path)
        return SpooledAtomicWrite(self, path, overwrite=overwrite, metadata=metadata)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        """Files and folders directly in ``path``, in ascending order."""
        files = list(self.list_files(path))
        folders = list(self.list_folders(path))
        entries: list[FileInfo | FolderEntry] = [*files, *folders]
        entries.sort(key=_order_key)
        yield from entries

    def get_folder_info(self, path: str) -> FolderInfo:
        """Count and total size of every file below ``path``."""
        if not self.is_folder(path):
            if self.is_file(path):
                raise InvalidPath("not a folder", path=path, backend=self.name)
            raise NotFound("folder not found", path=path, backend=self.name)
        count = total = 0
        newest = None
        for info in self.list_files(path, recursive=True):
            count += 1
            total += info.size
            if info.modified_at is not None and (newest is None or info.modified_at > newest):
                newest = info.modified_at
        return FolderInfo(RemotePath.from_backend_path(path), count, total, newest)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy a file by streaming it through the client, keeping its user metadata."""
        if Capability.COPY not in self.capabilities:
            raise self._refuse(Capability.COPY, src)
        self._copy_through_client(src, dst, overwrite)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Move a file: copy, then delete the source only once the copy has succeeded."""
        if Capability.MOVE not in self.capabilities:
            raise self._refuse(Capability.MOVE, src)
        self._copy_through_client(src, dst, overwrite)
        self.delete(src)

    def _copy_through_client(self, src: str, dst: str, overwrite: bool) -> None:
        try:
            info = self.get_file_info(src)
        except NotFound:
            if self.is_folder(src):  # a folder is never copied as a file
                raise InvalidPath("source is a folder", path=src, backend=self.name) from None
            raise
        metadata = info.metadata if Capability.USER_METADATA in self.capabilities else None
        with self.read(src) as stream:
            self.write(dst, stream, overwrite=overwrite, metadata=metadata or None)

    # -- errors -----------------------------------------------------------------------

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        """Turn a native exception into a typed error (override to classify native codes)."""
        if isinstance(exc, RemoteStoreError):
            return exc
        kind: type[RemoteStoreError] = RemoteStoreError
        if isinstance(exc, OSError) and exc.errno in _ERRNO_ERRORS:
            kind = _ERRNO_ERRORS[exc.errno]
        elif isinstance(exc, FileNotFoundError):
            kind = NotFound
        elif isinstance(exc, FileExistsError):
            kind = AlreadyExists
        elif isinstance(exc, PermissionError):
            kind = PermissionDenied
        elif isinstance(exc, (IsADirectoryError, NotADirectoryError)):
            kind = InvalidPath
        elif isinstance(exc, (ConnectionError, TimeoutError)):
            kind = BackendUnavailable
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        return kind(str(detail), path=path, backend=self.name)

    # -- naming, health, lifecycle ----------------------------------------------------

    def to_key(self, native_path: str) -> str:
        """The backend key for a native path (inverse of :meth:`native_path`)."""
        return native_path

    def native_path(self, path: str) -> str:
        """The native path of a backend key."""
        return path

    def resolve(self, path: str) -> ResolutionPlan:
        """How ``path`` maps onto the backend; no I/O."""
        return ResolutionPlan(self.name, self.name, path, self.native_path(path), {})

    def check_health(self) -> None:
        """Raise a :class:`RemoteStoreError` when the backend is unusable."""

    def close(self) -> None:
        """Release connections and other resources."""

    def unwrap(self, type_hint: type[T]) -> T:
        """The native client of type ``type_hint``, when the backend has one."""
        raise CapabilityNotSupported(
            f"{self.name} backend offers no native handle of type {type_hint.__name__}",
            capability="unwrap",
            backend=self.name,
        )

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _order_key(entry: FileInfo | FolderEntry) -> str:
    """Listing order: ascending path, a folder taken as ``path/``."""
    key = str(entry.path)
    return key + "/" if isinstance(entry, FolderEntry) else key


class SpooledAtomicWrite(AbstractContextManager[BinaryIO]):
    """``open_atomic`` by spooling, then one :meth:`Backend.write_atomic` on a clean exit."""

    def __init__(
        self,
        backend: Backend,
        path: str,
        *,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
    ) -> None:
        self._backend = backend
        self._path = path
        self._overwrite = overwrite
        self._metadata = metadata
        self._buffer: IO[bytes] | None = None
        self.result: WriteResult | None = None

    def __enter__(self) -> BinaryIO:
        self._buffer = spool(b"")
        return self._buffer  # type: ignore[return-value]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._buffer is not None
        with self._buffer as buffer:
            if exc_type is None:
                buffer.seek(0)
                self.result = self._backend.write_atomic(
                    self._path, buffer, overwrite=self._overwrite, metadata=self._metadata
                )
