"""AsyncStore: the async twin of :class:`remote_store.Store`, over an :class:`AsyncBackend`.

Every rule (path normalisation, root scoping, capability gates, metadata and argument
checks, rebasing) comes from :class:`StoreCore`, shared with :class:`Store`; this class
only awaits the backend and maps its native errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from remote_store._backend import Backend
from remote_store._capabilities import Capability
from remote_store._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from remote_store._store_core import DeleteOutcomes, FolderTally, StoreCore, head_result
from remote_store._validation import check_max_depth
from remote_store.aio._atomic import AsyncAtomicWrite, SeekableReader, spool_async
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._content import AsyncStoreContent, check_async_content, normalize_content
from remote_store.aio._reader import AsyncReadStream
from remote_store.aio._sync_backend_in_async import SyncBackendAdapter
from remote_store.errors import AlreadyExists, InvalidPath, NotFound, RemoteStoreError

__all__ = ["AsyncStore"]

T = TypeVar("T")
R = TypeVar("R")


class AsyncStore(StoreCore[AsyncBackend]):
    """A capability-gated, root-scoped async view of an :class:`AsyncBackend`.

    A sync :class:`Backend` is accepted and wrapped in :class:`SyncBackendAdapter`.
    Checks happen when a method is called, before any I/O; only
    :mod:`remote_store.errors` types are raised. ``read`` and the listings are plain
    calls returning async iterators; everything else is awaited.
    """

    __slots__ = ()

    def __init__(
        self, backend: AsyncBackend | Backend, root_path: str = "", *, _owns: bool = True
    ) -> None:
        if isinstance(backend, Backend):
            backend = SyncBackendAdapter(backend)
        super().__init__(backend, root_path, _owns=_owns)

    # -- calling the backend ----------------------------------------------------------

    async def _call(self, key: str | None, awaitable: Awaitable[R]) -> R:
        try:
            return await awaitable
        except RemoteStoreError:
            raise
        except Exception as exc:
            raise self._map(exc, key) from exc

    async def _iterate(
        self, key: str, start: Callable[[], AsyncIterator[T]], path: object
    ) -> AsyncIterator[T]:
        try:
            async for item in start():
                yield item
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        except Exception as exc:
            raise self._locate(self._map(exc, key), path) from exc

    # -- queries ----------------------------------------------------------------------

    async def exists(self, path: str) -> bool:
        """Whether a file or folder exists at ``path`` (``""`` is the root)."""
        try:
            key = self._folder_key(path)
            return await self._call(key, self._backend.exists(key))
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def is_file(self, path: str) -> bool:
        """Whether ``path`` is a file."""
        try:
            key = self._folder_key(path)
            if key == "":
                return False
            return await self._call(key, self._backend.is_file(key))
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def is_folder(self, path: str) -> bool:
        """Whether ``path`` is a folder (the root always is)."""
        try:
            key = self._folder_key(path)
            return await self._call(key, self._backend.is_folder(key))
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
            chunks = self._call_sync(key, self._backend.read, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return _LocatedReadStream(chunks, lambda exc: self._locate(self._map(exc, key), path))

    async def read_bytes(self, path: str) -> bytes:
        """The whole file."""
        try:
            key = self._file_key(path)
            self._gate(Capability.READ, key)
            return await self._call(key, self._backend.read_bytes(key))
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The whole file decoded as text."""
        return (await self.read_bytes(path)).decode(encoding, errors)

    async def read_seekable(self, path: str) -> SeekableReader:
        """A seekable reader of the file, spooled (8 MiB in memory, then a temporary file)."""
        stream = self.read(path)
        return SeekableReader(await spool_async(stream))

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
                self._check_condition(self._file_key(path), overwrite, if_match, if_none_match)
                key, checked = self._check_write(path, None, metadata, Capability.WRITE)
                check_async_content(content)
                write = self._backend.write_conditional(
                    key,
                    normalize_content(content),
                    if_match=if_match,
                    if_none_match=if_none_match,
                    metadata=checked,
                )
                return self._rebase_result(await self._call(key, write))
            return await self._write(Capability.WRITE, path, content, overwrite, metadata)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

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
        return await self.write(path, text.encode(encoding), overwrite=overwrite, metadata=metadata)

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
            return await self._write(Capability.ATOMIC_WRITE, path, content, overwrite, metadata)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def _write(
        self,
        gate: Capability,
        path: str,
        content: AsyncStoreContent,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
    ) -> WriteResult:
        key, checked = self._check_write(path, None, metadata, gate)
        check_async_content(content)
        if self._needs_create_check(overwrite):
            await self._refuse_existing(key)
        method = self._backend.write if gate is Capability.WRITE else self._backend.write_atomic
        data = normalize_content(content)
        result = await self._call(key, method(key, data, overwrite=overwrite, metadata=checked))
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
        precheck = None if overwrite else (lambda: self._refuse_existing(key))
        return AsyncAtomicWrite(
            self._commit_atomic, key, overwrite, checked, precheck, lambda e: self._locate(e, path)
        )

    async def _commit_atomic(
        self, key: str, content: AsyncIterator[bytes], overwrite: bool, metadata: Any
    ) -> WriteResult:
        if self._needs_create_check(overwrite):
            await self._refuse_existing(key)
        write = self._backend.write_atomic(key, content, overwrite=overwrite, metadata=metadata)
        return self._rebase_result(await self._call(key, write))

    async def _refuse_existing(self, key: str) -> None:
        if await self._call(key, self._backend.is_file(key)):
            raise AlreadyExists("file exists", path=key, backend=self._backend_name)

    # -- deletes ----------------------------------------------------------------------

    async def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """Remove a file; ``missing_ok`` silences only :class:`NotFound`."""
        try:
            key = self._file_key(path)
            self._gate(Capability.DELETE, key)
            await self._call(key, self._backend.delete(key, missing_ok=missing_ok))
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def delete_many(
        self, paths: Iterable[str], *, missing_ok: bool = False
    ) -> DeleteOutcomes:
        """Delete many files in few requests (``BULK_DELETE``); see :meth:`Store.delete_many`."""
        outcomes: DeleteOutcomes = {}
        try:
            for batch in self._bulk_batches(paths, outcomes):
                reported = await self._call(
                    None, self._backend.delete_many(list(batch), missing_ok=missing_ok)
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
                key, self._backend.delete_folder(key, recursive=recursive, missing_ok=missing_ok)
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
        entries = self._iterate(
            key,
            lambda: self._backend.list_files(key, recursive=recursive, max_depth=max_depth),
            path,
        )
        async for info in entries:
            for kept in self._filter_files((info,), key, max_depth, pattern):
                yield kept

    async def _require_folder(self, key: str) -> None:
        if not await self._call(key, self._backend.is_folder(key)):
            if await self._call(key, self._backend.is_file(key)):
                raise InvalidPath("not a folder", path=key, backend=self._backend_name)
            raise NotFound("folder not found", path=key, backend=self._backend_name)

    def list_folders(
        self, path: str = "", *, pattern: str | None = None, max_depth: int | None = None
    ) -> AsyncIterator[FolderEntry]:
        """Subfolders of ``path``, depth first in ascending order; ``max_depth`` 0 (default)
        gives the immediate ones. ``pattern`` filters names without pruning the walk."""
        try:
            check_max_depth(max_depth)
            key = self._folder_key(path)
            self._gate(Capability.LIST, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._walk_folders(key, pattern, max_depth or 0, path)

    async def _walk_folders(
        self, key: str, pattern: str | None, max_depth: int, path: object
    ) -> AsyncIterator[FolderEntry]:
        async for entry in self._iterate(key, lambda: self._backend.list_folders(key), path):
            if self._folder_matches(entry, pattern):
                yield self._rebase(entry)
            if max_depth > 0:
                below_key = entry.path._key
                async for below in self._walk_folders(below_key, pattern, max_depth - 1, path):
                    yield below

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
        self, capability: Capability, src: str, dst: str, overwrite: bool
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
        await self._call(src_key, method(src_key, dst_key, overwrite=overwrite))

    async def _same_path(self, key: str) -> None:
        await self._require_source(key)

    async def _require_source(self, key: str) -> None:
        """Raise the source's error of a move/copy: NotFound, or InvalidPath for a folder."""
        if await self._call(key, self._backend.is_file(key)):
            return
        if await self._call(key, self._backend.is_folder(key)):
            raise InvalidPath("source is a folder", path=key, backend=self._backend_name)
        raise NotFound("source not found", path=key, backend=self._backend_name)

    # -- metadata ---------------------------------------------------------------------

    async def get_file_info(self, path: str) -> FileInfo:
        """Full metadata of a file."""
        try:
            key = self._file_key(path)
            self._gate(Capability.METADATA, key)
            return self._rebase(await self._call(key, self._backend.get_file_info(key)))
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def head(self, path: str) -> WriteResult:
        """File metadata as a :class:`WriteResult` (``source="sidecar"``), without reading it."""
        return head_result(await self.get_file_info(path))

    async def get_folder_info(self, path: str = "", *, max_depth: int | None = None) -> FolderInfo:
        """File count and total size below a folder (all levels, or ``max_depth``)."""
        try:
            return await self._folder_info(path, max_depth)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise

    async def _folder_info(self, path: str, max_depth: int | None) -> FolderInfo:
        check_max_depth(max_depth)
        key = self._folder_key(path)
        if max_depth is None:
            self._gate(Capability.METADATA, key)
            return self._rebase(await self._call(key, self._backend.get_folder_info(key)))
        self._gate(Capability.LIST, key)
        await self._require_folder(key)
        tally = FolderTally()
        async for info in self._list_files(key, max_depth > 0, max_depth, None, False, path):
            tally.add(info)
        return self._rebase(tally.result(key))

    # -- lifecycle, scoping, naming ---------------------------------------------------

    async def ping(self) -> None:
        """Raise a typed error when the backend is unreachable."""
        try:
            await self._call(None, self._backend.check_health())
        except RemoteStoreError as exc:
            self._locate(exc, None)
            raise

    async def aclose(self) -> None:
        """Close the backend if this store owns it."""
        try:
            if self._owns:
                await self._call(None, self._backend.aclose())
        finally:
            self._release_sdk_redaction()

    async def __aenter__(self) -> AsyncStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def child(self, subpath: str) -> AsyncStore:
        """A store rooted at ``subpath`` below this one, sharing (not owning) the backend."""
        try:
            key = self._file_key(subpath)
        except RemoteStoreError as exc:
            self._locate(exc, subpath)
            raise
        return AsyncStore(self._backend, key, _owns=False)


class _LocatedReadStream(AsyncReadStream):
    """An :class:`AsyncReadStream` whose typed errors also name the caller's path."""

    async def __anext__(self) -> bytes:
        try:
            return await super().__anext__()
        except RemoteStoreError as exc:
            self._map_error(exc)  # locates it in place
            raise

    async def aclose(self) -> None:
        try:
            await super().aclose()
        except RemoteStoreError as exc:
            self._map_error(exc)
            raise
