"""The AsyncBackend ABC: the async mirror of :class:`remote_store.Backend`.

Same keys, same models, same errors, same capability rules as the sync ABC. Only
:attr:`name`, :meth:`read` and :meth:`get_file_info` are abstract; every other method
has a default derived from the primitives or refusing with ``CapabilityNotSupported``.

``read`` and the listings are plain methods returning async iterators, so a backend may
check the path eagerly and fetch lazily. Writes take :data:`AsyncWritableContent`
(``bytes`` or an async iterator of chunks) and must not leave a partial file when the
iterator raises or the task is cancelled.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from remote_store._backend import Backend, _order_key, check_declared_methods
from remote_store._capabilities import Capability, CapabilitySet, not_supported
from remote_store._glob import aglob_by_listing
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
from remote_store.aio._content import AsyncWritableContent
from remote_store.errors import CapabilityNotSupported, InvalidPath, NotFound, RemoteStoreError

__all__ = ["AsyncBackend"]

T = TypeVar("T")


class AsyncBackend(abc.ABC):
    """Base class of every asynchronous storage backend."""

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
        check_declared_methods(cls, AsyncBackend)

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The backend's type name, for example ``"memory"``."""

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
    def read(self, path: str) -> AsyncIterator[bytes]:
        """The file's content as an async iterator of non-empty chunks."""

    def read_from(self, path: str, offset: int) -> AsyncIterator[bytes]:
        """The file's content from byte ``offset`` on.

        A backend declaring ``SEEKABLE_READ`` overrides this to start at ``offset``
        natively (a ranged request, a seek); the default reads and drops what precedes it.
        """
        return _skip(self.read(path), offset)

    @abc.abstractmethod
    async def get_file_info(self, path: str) -> FileInfo:
        """Metadata of the file; :class:`NotFound` if missing, :class:`InvalidPath` if a folder."""

    async def write(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Create or replace a file, creating parents as needed."""
        raise self._refuse(Capability.WRITE, path)

    async def write_atomic(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Write so that readers see the old file or the whole new one, never a part."""
        raise self._refuse(Capability.ATOMIC_WRITE, path)

    async def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """Remove a file."""
        raise self._refuse(Capability.DELETE, path)

    async def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        """Remove a folder; only an empty one unless ``recursive``."""
        raise self._refuse(Capability.DELETE, path)

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> AsyncIterator[FileInfo]:
        """Files under ``path`` in ascending key order (a folder sorts as ``name/``)."""
        raise self._refuse(Capability.LIST, path)

    def list_folders(self, path: str) -> AsyncIterator[FolderEntry]:
        """Immediate subfolders of ``path`` in ascending order."""
        raise self._refuse(Capability.LIST, path)

    def glob(self, pattern: str) -> AsyncIterator[FileInfo]:
        """Files matching a glob pattern in ascending order (default: by listing, when
        ``GLOB`` is declared, as in the sync ABC)."""
        if Capability.GLOB in self.capabilities and Capability.LIST in self.capabilities:
            return aglob_by_listing(self, pattern)
        raise self._refuse(Capability.GLOB, pattern)

    async def write_conditional(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Write only while a precondition holds (see ``Backend.write_conditional``)."""
        raise self._refuse(Capability.CONDITIONAL_WRITE, path)

    async def delete_many(
        self, paths: Sequence[str], *, missing_ok: bool = False
    ) -> Mapping[str, BaseException | None]:
        """Delete many files in few requests (see ``Backend.delete_many``)."""
        raise self._refuse(Capability.BULK_DELETE)

    # -- derived operations with generic defaults -------------------------------------

    async def is_file(self, path: str) -> bool:
        """Whether ``path`` is a file (never raises for a missing path)."""
        if path == "":
            return False
        try:
            await self.get_file_info(path)
        except Exception as exc:
            if isinstance(self.map_error(exc, path), (NotFound, InvalidPath)):
                return False
            raise
        return True

    async def is_folder(self, path: str) -> bool:
        """Whether ``path`` is a folder; the root always is."""
        if path == "":
            return True
        if Capability.LIST not in self.capabilities:
            return False
        try:
            async for _ in self.iter_children(path):
                return True
        except Exception as exc:
            if isinstance(self.map_error(exc, path), (NotFound, InvalidPath)):
                return False
            raise
        return False

    async def exists(self, path: str) -> bool:
        """Whether ``path`` is a file or a folder."""
        return await self.is_file(path) or await self.is_folder(path)

    async def read_bytes(self, path: str) -> bytes:
        """The whole file in memory."""
        return b"".join([chunk async for chunk in self.read(path)])

    async def iter_children(self, path: str) -> AsyncIterator[FileInfo | FolderEntry]:
        """Files and folders directly in ``path``, in ascending order."""
        entries: list[FileInfo | FolderEntry] = [f async for f in self.list_files(path)]
        entries.extend([f async for f in self.list_folders(path)])
        entries.sort(key=_order_key)
        for entry in entries:
            yield entry

    async def get_folder_info(self, path: str) -> FolderInfo:
        """Count and total size of every file below ``path``."""
        if not await self.is_folder(path):
            if await self.is_file(path):
                raise InvalidPath("not a folder", path=path, backend=self.name)
            raise NotFound("folder not found", path=path, backend=self.name)
        count = total = 0
        newest = None
        async for info in self.list_files(path, recursive=True):
            count += 1
            total += info.size
            if info.modified_at is not None and (newest is None or info.modified_at > newest):
                newest = info.modified_at
        return FolderInfo(RemotePath.from_backend_path(path), count, total, newest)

    async def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy a file by streaming it through the client, keeping its user metadata."""
        if Capability.COPY not in self.capabilities:
            raise self._refuse(Capability.COPY, src)
        await self._copy_through_client(src, dst, overwrite)

    async def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Move a file: copy, then delete the source only once the copy has succeeded."""
        if Capability.MOVE not in self.capabilities:
            raise self._refuse(Capability.MOVE, src)
        await self._copy_through_client(src, dst, overwrite)
        await self.delete(src)

    async def _copy_through_client(self, src: str, dst: str, overwrite: bool) -> None:
        try:
            info = await self.get_file_info(src)
        except NotFound:
            if await self.is_folder(src):  # a folder is never copied as a file
                raise InvalidPath("source is a folder", path=src, backend=self.name) from None
            raise
        metadata = info.metadata if Capability.USER_METADATA in self.capabilities else None
        await self.write(dst, self.read(src), overwrite=overwrite, metadata=metadata or None)

    # -- errors, naming, health, lifecycle --------------------------------------------

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        """Turn a native exception into a typed error (same defaults as the sync ABC)."""
        # The sync ABC's classifier reads nothing but ``self.name``: reuse it, don't copy it.
        mapped: RemoteStoreError = Backend.map_error(self, exc, path)  # type: ignore[arg-type]
        return mapped

    def to_key(self, native_path: str) -> str:
        """The backend key for a native path (inverse of :meth:`native_path`)."""
        return native_path

    def native_path(self, path: str) -> str:
        """The native path of a backend key."""
        return path

    def resolve(self, path: str) -> ResolutionPlan:
        """How ``path`` maps onto the backend; no I/O."""
        return ResolutionPlan(self.name, self.name, path, self.native_path(path), {})

    async def check_health(self) -> None:
        """Raise a :class:`RemoteStoreError` when the backend is unusable."""

    async def aclose(self) -> None:
        """Release connections and other resources."""

    def unwrap(self, type_hint: type[T]) -> T:
        """The native client of type ``type_hint``, when the backend has one."""
        raise CapabilityNotSupported(
            f"{self.name} backend offers no native handle of type {type_hint.__name__}",
            capability="unwrap",
            backend=self.name,
        )

    async def __aenter__(self: Any) -> Any:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


async def _skip(chunks: AsyncIterator[bytes], offset: int) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        if offset >= len(chunk):
            offset -= len(chunk)
            continue
        yield chunk[offset:] if offset else chunk
        offset = 0
