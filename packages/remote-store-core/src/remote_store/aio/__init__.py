"""remote_store.aio: the async API and the bridges between sync and async backends.

* :class:`AsyncStore` is the async :class:`~remote_store.Store` (same rules, awaited).
* :class:`AsyncProxyStore` is the async :class:`~remote_store.ProxyStore` (middleware layers).
* :class:`AsyncBackend` is the ABC of async backends; :class:`AsyncMemoryBackend` is one.
* :class:`SyncBackendAdapter` runs a sync backend in worker threads for async code.
* :class:`AsyncBackendSyncAdapter` runs an async backend on a private loop for sync code.
"""

from __future__ import annotations

from typing import Any

from remote_store.aio._async_backend_in_sync import AsyncBackendSyncAdapter
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._content import AsyncStoreContent, AsyncWritableContent
from remote_store.aio._errors import RunningEventLoopError
from remote_store.aio._memory import AsyncMemoryBackend
from remote_store.aio._proxy import AsyncProxyStore
from remote_store.aio._reader import AsyncReadStream
from remote_store.aio._store import AsyncStore
from remote_store.aio._sync_backend_in_async import SyncBackendAdapter

__all__ = [
    "AsyncBackend",
    "AsyncBackendSyncAdapter",
    "AsyncMemoryBackend",
    "AsyncProxyStore",
    "AsyncReadStream",
    "AsyncStore",
    "AsyncStoreContent",
    "AsyncWritableContent",
    "RunningEventLoopError",
    "SyncBackendAdapter",
]


def __getattr__(name: str) -> Any:
    # 0.27 names of plugin backends, resolved lazily through the plugin table
    from remote_store._plugin_table import LEGACY_ASYNC_NAMES

    type_name = LEGACY_ASYNC_NAMES.get(name)
    if type_name is None:
        raise AttributeError(f"module 'remote_store.aio' has no attribute {name!r}")
    from remote_store import _discovery
    from remote_store.errors import UnknownBackendType

    try:
        module = _discovery.load_module_of(type_name, _discovery.ASYNC_BACKEND_GROUP)
    except UnknownBackendType:
        raise ImportError(
            f"{name} needs the async {type_name!r} backend: {_discovery.install_hint(type_name)}",
            name=name,
        ) from None
    return getattr(module, name)
