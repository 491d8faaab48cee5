"""AsyncStore: the async twin of :class:`remote_store.Store`, over an :class:`AsyncBackend`.

Every rule (path normalisation, root scoping, capability gates, metadata and argument
checks, rebasing) comes from :class:`StoreCore`, shared with :class:`Store`; every
operation is written once in :mod:`remote_store.aio._store_ops` (the source the sync
store's operations are generated from). What only an async store does is written here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from remote_store._backend import Backend
from remote_store._models import WriteResult
from remote_store.aio._atomic import AsyncAtomicWrite, SeekableReader, spool_async
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._reader import AsyncReadStream
from remote_store.aio._store_ops import AsyncStoreOps
from remote_store.aio._sync_backend_in_async import SyncBackendAdapter
from remote_store.errors import RemoteStoreError

__all__ = ["AsyncStore"]


class AsyncStore(AsyncStoreOps):
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

    # what an async store makes its own way (the operations call these)

    def _read_stream(self, stream: Any, key: str, path: object) -> AsyncReadStream:
        return _LocatedReadStream(stream, lambda exc: self._locate(self._map(exc, key), path))

    def _atomic_context(
        self, key: str, overwrite: bool, metadata: dict[str, str] | None, path: object
    ) -> AsyncAtomicWrite:
        precheck = None if overwrite else (lambda: self._refuse_existing(key))
        return AsyncAtomicWrite(
            self._commit_atomic, key, overwrite, metadata, precheck, lambda e: self._locate(e, path)
        )

    async def _commit_atomic(
        self, key: str, content: AsyncIterator[bytes], overwrite: bool, metadata: Any
    ) -> WriteResult:
        if self._needs_create_check(overwrite):
            await self._refuse_existing(key)
        result = await self._call(
            key, self._backend.write_atomic, key, content, overwrite=overwrite, metadata=metadata
        )
        return self._rebase_result(result)

    def _make_child(self, key: str) -> AsyncStore:
        return AsyncStore(self._backend, key, _owns=False)

    async def read_seekable(self, path: str) -> SeekableReader:
        """A seekable reader of the file, spooled (8 MiB in memory, then a temporary file)."""
        stream = self.read(path)
        return SeekableReader(await spool_async(stream))

    async def __aenter__(self) -> AsyncStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


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
