"""Store: the one object application code talks to."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import IO, Any, BinaryIO, TypeVar

from remote_store._backend import Backend
from remote_store._capabilities import Capability
from remote_store._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from remote_store._path import NORMAL_KEYS, RemotePath
from remote_store._store_core import DeleteOutcomes, StoreCore
from remote_store._streams import WritableContent
from remote_store.errors import (
    AlreadyExists,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)

__all__ = ["Store"]

T = TypeVar("T")
R = TypeVar("R")

# Enum members are looked up through a descriptor on Python 3.11 (~70 ns each); the hot
# paths below test module constants instead.
_READ = Capability.READ
_WRITE = Capability.WRITE
_EXCLUSIVE_CREATE = Capability.EXCLUSIVE_CREATE


class Store(StoreCore[Backend]):
    """A capability-gated, root-scoped view of a :class:`Backend`.

    Every method validates its paths, refuses an undeclared capability before any I/O,
    and raises only :mod:`remote_store.errors` types. A store built directly owns its
    backend and closes it; stores from :meth:`child` or a registry do not.
    """

    __slots__ = ()

    def __init__(self, backend: Backend, root_path: str = "", *, _owns: bool = True) -> None:
        super().__init__(backend, root_path, _owns=_owns)

    _call = StoreCore._call_sync

    def _iterate(self, key: str, source: Callable[[], Iterator[T]], path: object) -> Iterator[T]:
        try:
            yield from source()
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        except Exception as exc:
            raise self._locate(self._map(exc, key), path) from exc

    # -- queries ----------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        """Whether a file or folder exists at ``path`` (``""`` is the root)."""
        try:
            key = self._folder_key(path)
            try:
                return self._backend.exists(key)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    def is_file(self, path: str) -> bool:
        """Whether ``path`` is a file."""
        try:
            key = self._folder_key(path)
            if key == "":
                return False
            return self._call(key, self._backend.is_file, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    def is_folder(self, path: str) -> bool:
        """Whether ``path`` is a folder (the root always is)."""
        try:
            key = self._folder_key(path)
            return self._call(key, self._backend.is_folder, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        """A binary stream of the file; the caller closes it."""
        try:
            key = self._file_key(path)
            self._gate(Capability.READ, key)
            stream = self._call(key, self._backend.read, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._reader(stream, key, path)  # type: ignore[return-value]

    def read_bytes(self, path: str) -> bytes:
        """The whole file."""
        try:
            try:  # the common case inline: a str path seen before (never the root)
                key = (
                    self._prefix + NORMAL_KEYS[path] if type(path) is str else self._file_key(path)
                )
            except KeyError:
                key = self._file_key(path)
            if _READ not in self._capabilities:
                self._gate(_READ, key)
            try:
                return self._backend.read_bytes(key)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The whole file decoded as text."""
        return self.read_bytes(path).decode(encoding, errors)

    def read_seekable(self, path: str) -> BinaryIO:
        """A seekable stream: native where the backend seeks, else spooled or ranged."""
        try:
            key = self._file_key(path)
            self._gate(Capability.READ, key)
            stream = self._call(key, self._backend.read_seekable, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._reader(stream, key, path)  # type: ignore[return-value]

    # -- writes -----------------------------------------------------------------------

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> WriteResult:
        """Create or (with ``overwrite=True``) replace a file from bytes or a binary stream.

        ``if_match=etag`` replaces the file only while its etag is still ``etag``;
        ``if_none_match="*"`` creates it only while nothing is there. Both need
        ``CONDITIONAL_WRITE`` and raise :class:`PreconditionFailed` when the condition
        fails (nothing is written).
        """
        try:
            if if_match is not None or if_none_match is not None:
                return self._write_conditional(
                    path, content, metadata, overwrite, if_match, if_none_match
                )
            key = None
            if metadata is None and type(content) is bytes and type(path) is str:
                # the common case inline: a str path seen before (never the root), no metadata
                try:
                    key = NORMAL_KEYS[path]
                except KeyError:
                    pass
            if key is not None and _WRITE in self._capabilities:
                key, checked = self._prefix + key, None
            else:
                key, checked = self._check_write(path, content, metadata, Capability.WRITE)
            if not overwrite and _EXCLUSIVE_CREATE not in self._capabilities:
                self._refuse_existing(key)
            try:
                result = self._backend.write(key, content, overwrite=overwrite, metadata=checked)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._rebase_result(result) if self._prefix else result

    def _write_conditional(
        self,
        path: str,
        content: WritableContent,
        metadata: Mapping[str, str] | None,
        overwrite: bool,
        if_match: str | None,
        if_none_match: str | None,
    ) -> WriteResult:
        self._check_condition(self._file_key(path), overwrite, if_match, if_none_match)
        key, checked = self._check_write(path, content, metadata, Capability.WRITE)
        result = self._call(
            key,
            self._backend.write_conditional,
            key,
            content,
            if_match=if_match,
            if_none_match=if_none_match,
            metadata=checked,
        )
        return self._rebase_result(result)

    def write_text(
        self,
        path: str,
        text: str,
        *,
        encoding: str = "utf-8",
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Write ``text`` encoded as a file."""
        return self.write(path, text.encode(encoding), overwrite=overwrite, metadata=metadata)

    def write_atomic(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Write so that readers see the old file or the whole new one, never a part."""
        try:
            key, checked = self._check_write(path, content, metadata, Capability.ATOMIC_WRITE)
            if self._needs_create_check(overwrite):
                self._refuse_existing(key)
            result = self._call(
                key, self._backend.write_atomic, key, content, overwrite=overwrite, metadata=checked
            )
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._rebase_result(result)

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AtomicWriteContext:
        """A context manager yielding a writable stream, committed atomically on a clean exit.

        Nothing is written when the body raises. After the ``with`` block the context
        manager's ``result`` holds the :class:`WriteResult`.
        """
        try:
            key, checked = self._check_write(path, None, metadata, Capability.ATOMIC_WRITE)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return AtomicWriteContext(self, key, overwrite, checked, path)

    def _refuse_existing(self, key: str) -> None:
        if self._call(key, self._backend.is_file, key):
            raise AlreadyExists("file exists", path=key, backend=self._backend_name)

    # -- deletes ----------------------------------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """Remove a file; ``missing_ok`` silences only :class:`NotFound`."""
        try:
            key = self._file_key(path)
            self._gate(Capability.DELETE, key)
            self._call(key, self._backend.delete, key, missing_ok=missing_ok)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    def delete_many(self, paths: Iterable[str], *, missing_ok: bool = False) -> DeleteOutcomes:
        """Delete many files in few requests (``BULK_DELETE``).

        Returns the outcome of every path as given: ``None`` when deleted (or missing
        with ``missing_ok``), else its typed error; one failure never stops the others.
        Refused with :class:`CapabilityNotSupported` before any I/O when undeclared.
        """
        outcomes: DeleteOutcomes = {}
        try:
            for batch in self._bulk_batches(paths, outcomes):
                reported = self._call(
                    None, self._backend.delete_many, list(batch), missing_ok=missing_ok
                )
                self._settle_bulk(batch, reported, missing_ok, outcomes)
        except RemoteStoreError as exc:
            self._locate(exc, None)
            raise
        return outcomes

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        """Remove a folder: only an empty one unless ``recursive=True``."""
        try:
            if self._is_root(path):
                raise InvalidPath("cannot delete the store root", path=str(path))
            key = self._folder_key(path)
            self._gate(Capability.DELETE, key)
            self._call(
                key, self._backend.delete_folder, key, recursive=recursive, missing_ok=missing_ok
            )
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    # -- listings ---------------------------------------------------------------------

    def list_files(
        self,
        path: str = "",
        *,
        recursive: bool = False,
        pattern: str | None = None,
        max_depth: int | None = None,
        strict: bool = False,
    ) -> Iterator[FileInfo]:
        """Files under ``path`` in ascending path order.

        ``max_depth`` 0 means files directly in ``path``; when set it overrides
        ``recursive``. ``pattern`` filters basenames (``fnmatch``, case-sensitive). A
        missing folder yields nothing unless ``strict=True``, which raises :class:`NotFound`.
        """
        try:
            effective, max_depth = self._depth_args(recursive, max_depth)
            key = self._folder_key(path)
            self._gate(Capability.LIST, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._list_files(key, effective, max_depth, pattern, strict, path)

    def _list_files(
        self,
        key: str,
        recursive: bool,
        max_depth: int | None,
        pattern: str | None,
        strict: bool,
        path: object,
    ) -> Iterator[FileInfo]:
        if strict:
            try:
                self._require_folder(key)
            except RemoteStoreError as exc:
                self._locate(exc, path)
                raise
        entries = self._iterate(
            key,
            lambda: self._backend.list_files(key, recursive=recursive, max_depth=max_depth),
            path,
        )
        yield from self._filter_files(entries, key, max_depth, pattern)

    def _require_folder(self, key: str) -> None:
        if not self._call(key, self._backend.is_folder, key):
            if self._call(key, self._backend.is_file, key):
                raise InvalidPath("not a folder", path=key, backend=self._backend_name)
            raise NotFound("folder not found", path=key, backend=self._backend_name)

    def list_folders(
        self, path: str = "", *, pattern: str | None = None, max_depth: int | None = None
    ) -> Iterator[FolderEntry]:
        """Subfolders of ``path``, depth first in ascending order; ``max_depth`` 0 (default)
        gives the immediate ones. ``pattern`` filters names without pruning the walk."""
        try:
            self._depth_args(False, max_depth)
            key = self._folder_key(path)
            self._gate(Capability.LIST, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._walk_folders(key, pattern, max_depth or 0, path)

    def _walk_folders(
        self, key: str, pattern: str | None, max_depth: int, path: object
    ) -> Iterator[FolderEntry]:
        stack: list[tuple[Iterator[FolderEntry], int]] = [(self._folders_of(key, path), 0)]
        while stack:
            children, depth = stack[-1]
            entry = next(children, None)
            if entry is None:
                stack.pop()
                continue
            if self._folder_matches(entry, pattern):
                yield self._rebase(entry)
            if depth < max_depth:
                stack.append((self._folders_of(entry.path._key, path), depth + 1))

    def _folders_of(self, key: str, path: object) -> Iterator[FolderEntry]:
        return self._iterate(key, lambda: self._backend.list_folders(key), path)

    def iter_children(self, path: str = "") -> Iterator[FileInfo | FolderEntry]:
        """Files and folders directly in ``path``, in ascending order (folders as ``name/``)."""
        try:
            key = self._folder_key(path)
            self._gate(Capability.LIST, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return (
            self._rebase(entry)  # type: ignore[type-var]
            for entry in self._iterate(key, lambda: self._backend.iter_children(key), path)
            if self._inside(entry)
        )

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        """Files matching ``pattern`` (``*``, ``?``, ``**``, ``[...]``), relative to the root."""
        try:
            full = self._glob_key(pattern)
            self._gate(Capability.GLOB, full)
        except RemoteStoreError as exc:
            self._locate(exc, pattern)
            raise
        return (
            self._rebase(info)
            for info in self._iterate(full, lambda: self._backend.glob(full), pattern)
            if self._inside(info)
        )

    # -- move and copy ----------------------------------------------------------------

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Move a file within the backend."""
        self._transfer(Capability.MOVE, src, dst, overwrite)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy a file within the backend."""
        self._transfer(Capability.COPY, src, dst, overwrite)

    def _transfer(self, capability: Capability, src: str, dst: str, overwrite: bool) -> None:
        try:
            self._transfer_keys(capability, src, dst, overwrite)
        except RemoteStoreError as exc:
            self._locate_pair(exc, src, dst)
            raise

    def _transfer_keys(self, capability: Capability, src: str, dst: str, overwrite: bool) -> None:
        src_key, dst_key = self._file_key(src), self._file_key(dst)
        self._gate(capability, src_key)
        if src_key == dst_key:
            self._same_path(src_key)
            return
        if self._needs_create_check(overwrite):
            # the source is checked first, as every native path does (docs/errors.md)
            self._require_source(src_key)
            self._refuse_existing(dst_key)
        method = self._backend.move if capability is Capability.MOVE else self._backend.copy
        self._call(src_key, method, src_key, dst_key, overwrite=overwrite)

    def _same_path(self, key: str) -> None:
        """``move``/``copy`` onto itself: nothing to do for a file."""
        self._require_source(key)

    def _require_source(self, key: str) -> None:
        """Raise the source's error of a move/copy: NotFound, or InvalidPath for a folder."""
        if self._call(key, self._backend.is_file, key):
            return
        if self._call(key, self._backend.is_folder, key):
            raise InvalidPath("source is a folder", path=key, backend=self._backend_name)
        raise NotFound("source not found", path=key, backend=self._backend_name)

    # -- metadata ---------------------------------------------------------------------

    def get_file_info(self, path: str) -> FileInfo:
        """Full metadata of a file."""
        try:
            key = self._file_key(path)
            if Capability.METADATA not in self._capabilities:
                self._gate(Capability.METADATA, key)
            try:
                info = self._backend.get_file_info(key)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._rebase(info)

    def head(self, path: str) -> WriteResult:
        """File metadata as a :class:`WriteResult` (``source="sidecar"``), without reading it."""
        info = self.get_file_info(path)
        return WriteResult(
            path=str(info.path),
            size=info.size,
            source="sidecar",
            digest=info.digest,
            etag=info.etag,
            version_id=info.version_id,
            last_modified=info.modified_at,
            metadata=info.metadata,
        )

    def get_folder_info(self, path: str = "", *, max_depth: int | None = None) -> FolderInfo:
        """File count and total size below a folder (all levels, or ``max_depth``)."""
        try:
            return self._folder_info(path, max_depth)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    def _folder_info(self, path: str, max_depth: int | None) -> FolderInfo:
        self._depth_args(False, max_depth)
        key = self._folder_key(path)
        if max_depth is None:
            self._gate(Capability.METADATA, key)
            return self._rebase(self._call(key, self._backend.get_folder_info, key))
        self._gate(Capability.LIST, key)
        self._require_folder(key)
        count = total = 0
        newest = None
        for info in self._list_files(key, max_depth > 0, max_depth, None, False, path):
            count += 1
            total += info.size
            if info.modified_at is not None and (newest is None or info.modified_at > newest):
                newest = info.modified_at
        return self._rebase(FolderInfo(RemotePath._trusted(key), count, total, newest))

    # -- lifecycle, scoping, naming ---------------------------------------------------

    def ping(self) -> None:
        """Raise a typed error when the backend is unreachable."""
        try:
            self._call(None, self._backend.check_health)
        except RemoteStoreError as exc:
            self._locate(exc, None)
            raise

    def close(self) -> None:
        """Close the backend if this store owns it."""
        try:
            if self._owns:
                self._call(None, self._backend.close)
        finally:
            self._release_sdk_redaction()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def child(self, subpath: str) -> Store:
        """A store rooted at ``subpath`` below this one, sharing (not owning) the backend."""
        try:
            key = self._file_key(subpath)
        except RemoteStoreError as exc:
            self._locate(exc, subpath)
            raise
        return type(self)._make_child(self, key)

    def _make_child(self, key: str) -> Store:
        return Store(self._backend, key, _owns=False)


class AtomicWriteContext(AbstractContextManager[BinaryIO]):
    """What :meth:`Store.open_atomic` returns: a writable stream inside, a result after."""

    def __init__(
        self,
        store: Store,
        key: str,
        overwrite: bool,
        metadata: dict[str, str] | None,
        path: object = None,
    ) -> None:
        self._store = store
        self._key = key
        self._path = key if path is None else path
        self._overwrite = overwrite
        self._metadata = metadata
        self._inner: AbstractContextManager[IO[bytes]] | None = None
        self._stream: IO[bytes] | None = None
        self.result: WriteResult | None = None

    def __enter__(self) -> BinaryIO:
        try:
            return self._enter()
        except RemoteStoreError as exc:
            self._store._locate(exc, self._path)
            raise

    def _enter(self) -> BinaryIO:
        store, key = self._store, self._key
        if not self._overwrite and store._call(key, store._backend.is_file, key):
            raise AlreadyExists("file exists", path=key, backend=store._backend_name)
        options: dict[str, Any] = {"overwrite": self._overwrite}
        if self._metadata:
            options["metadata"] = self._metadata
        self._inner = store._call(key, store._backend.open_atomic, key, **options)
        self._stream = store._call(key, self._inner.__enter__)
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._exit(exc_type, exc, traceback)
        except RemoteStoreError as error:
            self._store._locate(error, self._path)
            raise

    def _exit(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._inner is not None and self._stream is not None
        store, key = self._store, self._key
        size = _tell(self._stream) if exc_type is None else 0
        if exc_type is None and store._needs_create_check(self._overwrite):
            # Without a native create-exclusive commit, check again right before it (as
            # AsyncStore does): a file that appeared during the body is never replaced.
            try:
                store._refuse_existing(key)
            except AlreadyExists as refused:
                store._call(key, self._inner.__exit__, AlreadyExists, refused, None)
                raise
        store._call(key, self._inner.__exit__, exc_type, exc, traceback)
        if exc_type is not None:
            return
        result = getattr(self._inner, "result", None)
        if not isinstance(result, WriteResult):
            result = WriteResult(path=key, size=size, metadata=self._metadata)
        self.result = store._rebase_result(result)


def _tell(stream: IO[bytes]) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0
