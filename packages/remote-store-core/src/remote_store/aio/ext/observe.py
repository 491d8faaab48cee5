"""Observe an :class:`~remote_store.aio.AsyncStore`: the events of
:mod:`remote_store.ext.observe`, from the same layer.

``observe(async_store, on_any=...)`` (from :mod:`remote_store.ext.observe`) returns an
:class:`AsyncObservedStore`. A read stream's or a listing's event fires when it is
exhausted, closed (``aclose``/``async with``) or fails; an ``open_atomic`` event after the
commit; every other operation's when it has been awaited.
"""

from __future__ import annotations

from typing import Unpack

from remote_store.aio._proxy import AsyncProxyStore
from remote_store.aio._store import AsyncStore
from remote_store.ext.observe import ObserveCallbacks, observe_layer

__all__ = ["AsyncObservedStore"]


class AsyncObservedStore(AsyncProxyStore):
    """An :class:`~remote_store.aio.AsyncProxyStore` emitting a ``StoreEvent`` per operation."""

    __slots__ = ()

    def __init__(self, inner: AsyncStore, **callbacks: Unpack[ObserveCallbacks]) -> None:
        super().__init__(inner, layer=observe_layer(**callbacks))
