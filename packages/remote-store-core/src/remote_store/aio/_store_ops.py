"""Every Store operation, written once: the source of :class:`AsyncStore` and :class:`Store`.

``tools/unasync_store.py`` writes the sync twin, ``remote_store/_store_ops.py``, from this
module by rewriting tokens (``async def`` -> ``def``, ``await`` and ``async`` dropped,
async names -> their sync names, the sync docstrings where they differ); a line marked
``# unasync: async only`` is left out of it. Edit this module, then run
``python tools/unasync_store.py``; a test fails while the generated module is stale.

What each flavour makes its own way (its constructor, the stream a ``read`` returns, the
``open_atomic`` context, ``read_seekable``, a child store) is written in
:class:`~remote_store.Store` and :class:`~remote_store.aio.AsyncStore` themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from remote_store._capabilities import Capability
from remote_store._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from remote_store._path import NORMAL_KEYS, RemotePath
from remote_store._store_core import DeleteOutcomes, StoreCore, head_result
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._content import AsyncStoreContent, check_async_content, normalize_content
from remote_store.errors import AlreadyExists, InvalidPath, NotFound, RemoteStoreError

if TYPE_CHECKING:
    from remote_store.aio._atomic import AsyncAtomicWrite
    from remote_store.aio._reader import AsyncReadStream
    from remote_store.aio._store import AsyncStore

__all__ = ["AsyncStoreOps"]

T = TypeVar("T")
R = TypeVar("R")

# Enum members are looked up through a descriptor on Python 3.11 (~70 ns each); the hot
# paths below test module constants instead.
_READ = Capability.READ
_EXCLUSIVE_CREATE = Capability.EXCLUSIVE_CREATE
_METADATA = Capability.METADATA


class AsyncStoreOps(StoreCore[AsyncBackend]):
    """The operations of :class:`AsyncStore` over its backend (the source of both stores)."""

    __slots__ = ()

    # -- calling the backend ----------------------------------------------------------

    async def _call(
        self,
        key: str | None,
        method: Callable[..., Awaitable[R]],
        *args: Any,
        **kwargs: Any,
    ) -> R:
        """A backend call with native exceptions mapped to typed errors."""
        try:
            return await method(*args, **kwargs)
        except RemoteStoreError:
            raise
        except Exception as exc:
            raise self._map(exc, key) from exc

    async def _iterate(
        self,
        key: str,
        start: Callable[[], AsyncIterator[T]],
        path: object,
    ) -> AsyncIterator[T]:
        try:
            async for item in start():
                yield item
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        except Exception as exc:
            raise self._locate(self._map(exc, key), path) from exc

    # -- what each flavour makes its own way ------------------------------------------

    def _read_stream(self, stream: Any, key: str, path: object) -> AsyncReadStream:
        """The stream ``read`` returns over the backend's ``stream`` of ``key``."""
        raise NotImplementedError

    def _atomic_context(
        self, key: str, overwrite: bool, metadata: dict[str, str] | None, path: object
    ) -> AsyncAtomicWrite:
        """The context manager ``open_atomic`` returns, its arguments checked."""
        raise NotImplementedError

    def _make_child(self, key: str) -> AsyncStore:
        """The store ``child`` returns, rooted at backend ``key``."""
        raise NotImplementedError

    # -- queries ----------------------------------------------------------------------

    async def exists(self, path: str) -> bool:
        """Whether a file or folder exists at ``path`` (``""`` is the root)."""
        try:
            try:  # the common case inline: a str path seen before (never the root)
                if type(path) is not str:
                    raise KeyError(path)
                key = self._prefix + NORMAL_KEYS[path]
            except KeyError:
                key = self._folder_key(path)
            try:
                return await self._backend.exists(key)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def is_file(self, path: str) -> bool:
        """Whether ``path`` is a file."""
        try:
            key = self._folder_key(path)
            if key == "":
                return False
            return await self._call(key, self._backend.is_file, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def is_folder(self, path: str) -> bool:
        """Whether ``path`` is a folder (the root always is)."""
        try:
            key = self._folder_key(path)
            return await self._call(key, self._backend.is_folder, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> AsyncReadStream:
        """The file as an async iterator of chunks (``async for chunk in store.read(p)``).

        The path and the gate are checked now; the backend is asked on first iteration
        (or now, when it checks eagerly). Use ``async with`` or ``aclose`` to stop early.
        """
        try:
            key = self._file_key(path)
            self._gate(Capability.READ, key)
            stream = self._call_sync(key, self._backend.read, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._read_stream(stream, key, path)

    async def read_bytes(self, path: str) -> bytes:
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
                return await self._backend.read_bytes(key)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The whole file decoded as text."""
        data = await self.read_bytes(path)
        return data.decode(encoding, errors)

    # -- writes -----------------------------------------------------------------------

    async def write(
        self,
        path: str,
        content: AsyncStoreContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> WriteResult:
        """Create or (``overwrite=True``) replace a file from bytes, an async iterator of
        chunks, or a sync binary stream (read in a worker thread). ``if_match`` /
        ``if_none_match`` make it conditional, as on :meth:`Store.write`."""
        try:
            if if_match is not None or if_none_match is not None:
                return await self._write_conditional(
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
                check_async_content(content)
                data = normalize_content(content)  # unasync: async only
            if not overwrite and _EXCLUSIVE_CREATE not in self._capabilities:
                await self._refuse_existing(key)
            try:
                result = await self._backend.write(key, data, overwrite=overwrite, metadata=checked)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._rebase_result(result) if self._prefix else result

    async def _write_conditional(
        self,
        path: str,
        content: AsyncStoreContent,
        metadata: Mapping[str, str] | None,
        overwrite: bool,
        if_match: str | None,
        if_none_match: str | None,
    ) -> WriteResult:
        self._check_condition(self._file_key(path), overwrite, if_match, if_none_match)
        key, checked = self._check_write(path, None, metadata, Capability.WRITE)
        check_async_content(content)
        data: Any = content
        data = normalize_content(content)  # unasync: async only
        result = await self._call(
            key,
            self._backend.write_conditional,
            key,
            data,
            if_match=if_match,
            if_none_match=if_none_match,
            metadata=checked,
        )
        return self._rebase_result(result)

    async def write_text(
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
        return await self.write(path, data, overwrite=overwrite, metadata=metadata)

    async def write_atomic(
        self,
        path: str,
        content: AsyncStoreContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Write so that readers see the old file or the whole new one, never a part."""
        try:
            key, checked = self._check_write(path, None, metadata, Capability.ATOMIC_WRITE)
            check_async_content(content)
            if self._needs_create_check(overwrite):
                await self._refuse_existing(key)
            data: Any = content
            data = normalize_content(content)  # unasync: async only
            result = await self._call(
                key, self._backend.write_atomic, key, data, overwrite=overwrite, metadata=checked
            )
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._rebase_result(result)

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AsyncAtomicWrite:
        """An async context manager yielding a sink with ``await sink.write(data)``.

        The data is spooled (8 MiB in memory, then a temporary file) and committed with
        one ``write_atomic`` on a clean exit; nothing is written when the body raises or
        is cancelled. The context manager's ``result`` holds the :class:`WriteResult`.
        """
        try:
            key, checked = self._check_write(path, None, metadata, Capability.ATOMIC_WRITE)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._atomic_context(key, overwrite, checked, path)

    async def _refuse_existing(self, key: str) -> None:
        if await self._call(key, self._backend.is_file, key):
            raise AlreadyExists("file exists", path=key, backend=self._backend_name)

    # -- deletes ----------------------------------------------------------------------

    async def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """Remove a file; ``missing_ok`` silences only :class:`NotFound`."""
        try:
            key = self._file_key(path)
            self._gate(Capability.DELETE, key)
            await self._call(key, self._backend.delete, key, missing_ok=missing_ok)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def delete_many(
        self,
        paths: Iterable[str],
        *,
        missing_ok: bool = False,
    ) -> DeleteOutcomes:
        """Delete many files in few requests (``BULK_DELETE``); see :meth:`Store.delete_many`."""
        outcomes: DeleteOutcomes = {}
        try:
            for batch in self._bulk_batches(paths, outcomes):
                reported = await self._call(
                    None, self._backend.delete_many, list(batch), missing_ok=missing_ok
                )
                self._settle_bulk(batch, reported, missing_ok, outcomes)
        except RemoteStoreError as exc:
            self._locate(exc, None)
            raise
        return outcomes

    async def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        """Remove a folder: only an empty one unless ``recursive=True``."""
        try:
            if self._is_root(path):
                raise InvalidPath("cannot delete the store root", path=str(path))
            key = self._folder_key(path)
            self._gate(Capability.DELETE, key)
            await self._call(
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
    ) -> AsyncIterator[FileInfo]:
        """Files under ``path`` in ascending path order, as :meth:`Store.list_files`."""
        try:
            effective, max_depth = self._depth_args(recursive, max_depth)
            key = self._folder_key(path)
            self._gate(Capability.LIST, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._list_files(key, effective, max_depth, pattern, strict, path)

    async def _list_files(
        self,
        key: str,
        recursive: bool,
        max_depth: int | None,
        pattern: str | None,
        strict: bool,
        path: object,
    ) -> AsyncIterator[FileInfo]:
        if strict:
            try:
                await self._require_folder(key)
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
        async for info in entries:
            if not self._inside(info):
                continue
            if max_depth is not None and info.path._key.count("/", base) > max_depth:
                continue
            if pattern is not None and not fnmatchcase(info.name, pattern):
                continue
            yield self._rebase(info)

    async def _require_folder(self, key: str) -> None:
        if not await self._call(key, self._backend.is_folder, key):
            if await self._call(key, self._backend.is_file, key):
                raise InvalidPath("not a folder", path=key, backend=self._backend_name)
            raise NotFound("folder not found", path=key, backend=self._backend_name)

    def list_folders(
        self, path: str = "", *, pattern: str | None = None, max_depth: int | None = None
    ) -> AsyncIterator[FolderEntry]:
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

    async def _walk_folders(
        self, key: str, pattern: str | None, max_depth: int, path: object
    ) -> AsyncIterator[FolderEntry]:
        stack: list[tuple[AsyncIterator[FolderEntry], int]] = [(self._folders_of(key, path), 0)]
        while stack:
            children, depth = stack[-1]
            entry = await anext(children, None)
            if entry is None:
                stack.pop()
                continue
            if self._folder_matches(entry, pattern):
                yield self._rebase(entry)
            if depth < max_depth:
                stack.append((self._folders_of(entry.path._key, path), depth + 1))

    def _folders_of(self, key: str, path: object) -> AsyncIterator[FolderEntry]:
        return self._iterate(key, lambda: self._backend.list_folders(key), path)

    def iter_children(self, path: str = "") -> AsyncIterator[FileInfo | FolderEntry]:
        """Files and folders directly in ``path``, in ascending order (folders as ``name/``)."""
        try:
            key = self._folder_key(path)
            self._gate(Capability.LIST, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._rebased(self._iterate(key, lambda: self._backend.iter_children(key), path))

    def glob(self, pattern: str) -> AsyncIterator[FileInfo]:
        """Files matching ``pattern`` (``*``, ``?``, ``**``, ``[...]``), relative to the root."""
        try:
            full = self._glob_key(pattern)
            self._gate(Capability.GLOB, full)
        except RemoteStoreError as exc:
            self._locate(exc, pattern)
            raise
        return self._rebased(self._iterate(full, lambda: self._backend.glob(full), pattern))

    async def _rebased(self, entries: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for entry in entries:
            if self._inside(entry):
                yield self._rebase(entry)

    # -- move and copy ----------------------------------------------------------------

    async def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Move a file within the backend."""
        await self._transfer(Capability.MOVE, src, dst, overwrite)

    async def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy a file within the backend."""
        await self._transfer(Capability.COPY, src, dst, overwrite)

    async def _transfer(self, capability: Capability, src: str, dst: str, overwrite: bool) -> None:
        try:
            await self._transfer_keys(capability, src, dst, overwrite)
        except RemoteStoreError as exc:
            self._locate_pair(exc, src, dst)
            raise

    async def _transfer_keys(
        self,
        capability: Capability,
        src: str,
        dst: str,
        overwrite: bool,
    ) -> None:
        src_key, dst_key = self._file_key(src), self._file_key(dst)
        self._gate(capability, src_key)
        if src_key == dst_key:
            await self._same_path(src_key)
            return
        if self._needs_create_check(overwrite):
            # the source is checked first, as every native path does (docs/errors.md)
            await self._require_source(src_key)
            await self._refuse_existing(dst_key)
        method = self._backend.move if capability is Capability.MOVE else self._backend.copy
        await self._call(src_key, method, src_key, dst_key, overwrite=overwrite)

    async def _same_path(self, key: str) -> None:
        """``move``/``copy`` onto itself: nothing to do for a file."""
        await self._require_source(key)

    async def _require_source(self, key: str) -> None:
        """Raise the source's error of a move/copy: NotFound, or InvalidPath for a folder."""
        if await self._call(key, self._backend.is_file, key):
            return
        if await self._call(key, self._backend.is_folder, key):
            raise InvalidPath("source is a folder", path=key, backend=self._backend_name)
        raise NotFound("source not found", path=key, backend=self._backend_name)

    # -- metadata ---------------------------------------------------------------------

    async def get_file_info(self, path: str) -> FileInfo:
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
                info = await self._backend.get_file_info(key)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map(exc, key) from exc
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._rebase(info) if self._prefix else info

    async def head(self, path: str) -> WriteResult:
        """File metadata as a :class:`WriteResult` (``source="sidecar"``), without reading it."""
        info = await self.get_file_info(path)
        return head_result(info)

    async def get_folder_info(self, path: str = "", *, max_depth: int | None = None) -> FolderInfo:
        """File count and total size below a folder (all levels, or ``max_depth``)."""
        try:
            return await self._folder_info(path, max_depth)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def _folder_info(self, path: str, max_depth: int | None) -> FolderInfo:
        self._depth_args(False, max_depth)
        key = self._folder_key(path)
        if max_depth is None:
            self._gate(Capability.METADATA, key)
            folder = await self._call(key, self._backend.get_folder_info, key)
            return self._rebase(folder)
        self._gate(Capability.LIST, key)
        await self._require_folder(key)
        count = total = 0
        newest = None
        async for info in self._list_files(key, max_depth > 0, max_depth, None, False, path):
            count += 1
            total += info.size
            if info.modified_at is not None and (newest is None or info.modified_at > newest):
                newest = info.modified_at
        return self._rebase(FolderInfo(RemotePath._trusted(key), count, total, newest))

    # -- lifecycle, scoping -----------------------------------------------------------

    async def ping(self) -> None:
        """Raise a typed error when the backend is unreachable."""
        try:
            await self._call(None, self._backend.check_health)
        except RemoteStoreError as exc:
            self._locate(exc, None)
            raise

    async def aclose(self) -> None:
        """Close the backend if this store owns it."""
        try:
            if self._owns:
                await self._call(None, self._backend.aclose)
        finally:
            self._release_sdk_redaction()

    def child(self, subpath: str) -> AsyncStore:
        """A store rooted at ``subpath`` below this one, sharing (not owning) the backend."""
        try:
            key = self._file_key(subpath)
        except RemoteStoreError as exc:
            self._locate(exc, subpath)
            raise
        return self._make_child(key)
