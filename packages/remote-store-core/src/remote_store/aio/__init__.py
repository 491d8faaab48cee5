"""remote_store.aio: the async API and the bridges between sync and async backends.

* :class:`AsyncStore` is the async :class:`~remote_store.Store` (same rules, awaited).
* :class:`AsyncBackend` is the ABC of async backends; :class:`AsyncMemoryBackend` is one.
* :class:`SyncBackendAdapter` runs a sync backend in worker threads for async code.
* :class:`AsyncBackendSyncAdapter` runs an async backend on a private loop for sync code.
"""

from __future__ import annotations

from remote_store.aio._backend import AsyncBackend
from remote_store.aio._content import AsyncStoreContent, AsyncWritableContent
from remote_store.aio._errors import RunningEventLoopError
from remote_store.aio._memory import AsyncMemoryBackend
from remote_store.aio._reader import AsyncReadStream
from remote_store.aio._store import AsyncStore
from remote_store.aio._sync_adapter import SyncBackendAdapter
from remote_store.aio._sync_bridge import AsyncBackendSyncAdapter

__all__ = [
    "AsyncBackend",
    "AsyncBackendSyncAdapter",
    "AsyncMemoryBackend",
    "AsyncReadStream",
    "AsyncStore",
    "AsyncStoreContent",
    "AsyncWritableContent",
    "RunningEventLoopError",
    "SyncBackendAdapter",
]
