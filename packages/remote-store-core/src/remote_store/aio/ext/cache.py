"""Read-through caching of an :class:`~remote_store.aio.AsyncStore`: the layer of
:mod:`remote_store.ext.cache`, so the same entries, limits and invalidations.

``cache(async_store, ...)`` (from :mod:`remote_store.ext.cache`) returns an
:class:`AsyncCachedStore`.
"""

from __future__ import annotations

from typing import Unpack

from remote_store.aio._proxy import AsyncProxyStore
from remote_store.aio._store import AsyncStore
from remote_store.ext.cache import CacheControls, CacheLayer, CacheOptions, shared_state

__all__ = ["AsyncCachedStore"]


class AsyncCachedStore(CacheControls, AsyncProxyStore):
    """An :class:`~remote_store.aio.AsyncProxyStore` answering repeated queries from a cache
    (``stats``, ``invalidate`` and ``clear_cache`` as on :class:`CachedStore`)."""

    __slots__ = ()

    def __init__(self, inner: AsyncStore, **options: Unpack[CacheOptions]) -> None:
        super().__init__(inner, layer=CacheLayer(shared_state(**options)))
