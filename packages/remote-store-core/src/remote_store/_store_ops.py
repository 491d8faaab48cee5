"""The operations of the sync :class:`~remote_store.Store` (``StoreOps``).

GENERATED from ``remote_store/aio/_store_ops.py`` by ``tools/unasync_store.py``: do not
edit; change the async source and run the script (a test fails while this is stale).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from remote_store._backend import Backend
from remote_store._capabilities import Capability
from remote_store._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from remote_store._path import NORMAL_KEYS, RemotePath
from remote_store._store_core import DeleteOutcomes, StoreCore, head_result
from remote_store._streams import WritableContent
from remote_store._validation import check_content
from remote_store.errors import AlreadyExists, InvalidPath, NotFound, RemoteStoreError

if TYPE_CHECKING:
    from remote_store._store import AtomicWriteContext, Store

__all__ = ["StoreOps"]

T = TypeVar("T")
R = TypeVar("R")

# Enum members are looked up through a descriptor on Python 3.11 (~70 ns each); the hot
# paths below test module constants instead.
_READ = Capability.READ
_EXCLUSIVE_CREATE = Capability.EXCLUSIVE_CREATE
_METADATA = Capability.METADATA


class StoreOps(StoreCore[Backend]):
    """The operations of :class:`Store` over its backend (generated)."""

    __slots__ = ()

    # -- calling the backend ----------------------------------------------------------

    def _call(
        self,
        key: str | None,
        method: Callable[..., R],
        *args: Any,
        **kwargs: Any,
    ) -> R:
        """A backend call with native exceptions mapped to typed errors."""
        try:
            return method(*args, **kwargs)
        except RemoteStoreError:
            raise
        except Exception as exc:
            raise self._map(exc, key) from exc

    def _iterate(
        self,
        key: str,
        start: Callable[[], Iterator[T]],
        path: object,
    ) -> Iterator[T]:
        try:
            yield from start()
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        except Exception as exc:
            raise self._locate(self._map(exc, key), path) from exc

    # -- what each flavour makes its own way ------------------------------------------

    def _read_stream(self, stream: Any, key: str, path: object) -> BinaryIO:
        """The stream ``read`` returns over the backend's ``stream`` of ``key``."""
        raise NotImplementedError

    def _atomic_context(
        self, key: str, overwrite: bool, metadata: dict[str, str] | None, path: object
    ) -> AtomicWriteContext:
        """The context manager ``open_atomic`` returns, its arguments checked."""
        raise NotImplementedError

    def _make_child(self, key: str) -> Store:
        """The store ``child`` returns, rooted at backend ``key``."""
        raise NotImplementedError

    # -- queries ----------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        """Whether a file or folder exists at ``path`` (``""`` is the root)."""
        try:
            try:  # the common case inline: a str path seen before (never the root)
                if type(path) is not str:
                    raise KeyError(path)
                key = self._prefix + NORMAL_KEYS[path]
            except KeyError:
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
            stream = self._call_sync(key, self._backend.read, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._read_stream(stream, key, path)

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
        data = self.read_bytes(path)
        return data.decode(encoding, errors)

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
            data: Any = content
            if metadata is None and type(content) is bytes and type(path) is str:
                # the common case inline: a str path seen before (never the root), no metadata
                try:
                    key = NORMAL_KEYS[path]
                except KeyError:
                    pass
            if key is not None and self._writable:
                key, checked = self._prefix + key, None
            else:
                key, checked = self._check_write(path, None, metadata, Capability.WRITE)
                check_content(content)
            if not overwrite and _EXCLUSIVE_CREATE not in self._capabilities:
                self._refuse_existing(key)
            try:
                result = self._backend.write(key, data, overwrite=overwrite, metadata=checked)
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
        key, checked = self._check_write(path, None, metadata, Capability.WRITE)
        check_content(content)
        data: Any = content
        result = self._call(
            key,
            self._backend.write_conditional,
            key,
            data,
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
        data = text.encode(encoding)
        return self.write(path, data, overwrite=overwrite, metadata=metadata)

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
            key, checked = self._check_write(path, None, metadata, Capability.ATOMIC_WRITE)
            check_content(content)
            if self._needs_create_check(overwrite):
                self._refuse_existing(key)
            data: Any = content
            result = self._call(
                key, self._backend.write_atomic, key, data, overwrite=overwrite, metadata=checked
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
        return self._atomic_context(key, overwrite, checked, path)

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

    def delete_many(
        self,
        paths: Iterable[str],
        *,
        missing_ok: bool = False,
    ) -> DeleteOutcomes:
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
        from fnmatch import fnmatchcase  # loaded on first use: keeps the import light

        entries = self._iterate(
            key,
            lambda: self._backend.list_files(key, recursive=recursive, max_depth=max_depth),
            path,
        )
        base = len(key) + 1 if key else 0
        # the depth limit is a safety net over the backend's pruning
        for info in entries:
            if not self._inside(info):
                continue
            if max_depth is not None and info.path._key.count("/", base) > max_depth:
                continue
            if pattern is not None and not fnmatchcase(info.name, pattern):
                continue
            yield self._rebase(info)

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
        return self._rebased(self._iterate(key, lambda: self._backend.iter_children(key), path))

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        """Files matching ``pattern`` (``*``, ``?``, ``**``, ``[...]``), relative to the root."""
        try:
            full = self._glob_key(pattern)
            self._gate(Capability.GLOB, full)
        except RemoteStoreError as exc:
            self._locate(exc, pattern)
            raise
        return self._rebased(self._iterate(full, lambda: self._backend.glob(full), pattern))

    def _rebased(self, entries: Iterator[Any]) -> Iterator[Any]:
        for entry in entries:
            if self._inside(entry):
                yield self._rebase(entry)

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

    def _transfer_keys(
        self,
        capability: Capability,
        src: str,
        dst: str,
        overwrite: bool,
    ) -> None:
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
            try:  # the common case inline: a str path seen before (never the root)
                key = (
                    self._prefix + NORMAL_KEYS[path] if type(path) is str else self._file_key(path)
                )
            except KeyError:
                key = self._file_key(path)
            if _METADATA not in self._capabilities:
                self._gate(_METADATA, key)
            try:
                info = self._backend.get_file_info(key)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._rebase(info) if self._prefix else info

    def head(self, path: str) -> WriteResult:
        """File metadata as a :class:`WriteResult` (``source="sidecar"``), without reading it."""
        info = self.get_file_info(path)
        return head_result(info)

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
            folder = self._call(key, self._backend.get_folder_info, key)
            return self._rebase(folder)
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

    # -- lifecycle, scoping -----------------------------------------------------------

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

    def child(self, subpath: str) -> Store:
        """A store rooted at ``subpath`` below this one, sharing (not owning) the backend."""
        try:
            key = self._file_key(subpath)
        except RemoteStoreError as exc:
            self._locate(exc, subpath)
            raise
        return self._make_child(key)
