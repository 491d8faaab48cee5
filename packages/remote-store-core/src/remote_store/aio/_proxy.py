"""AsyncProxyStore: the base of async store middleware (the async :class:`ProxyStore`)."""

from __future__ import annotations

from typing import Any

from remote_store._layered import ProxyCommon, forward_only, forwarders
from remote_store.aio._layered import async_method, dispatch_async
from remote_store.aio._store import AsyncStore
from remote_store.layers import Call, Layer, Run

__all__ = ["AsyncProxyStore"]


class AsyncProxyStore(ProxyCommon, AsyncStore):
    """An :class:`AsyncStore` forwarding every call to ``inner`` through one seam.

    Every operation of :data:`remote_store.layers.OPERATIONS` goes through
    :meth:`_dispatch`; with a ``layer`` (the same :class:`~remote_store.layers.Layer` that
    serves a sync :class:`~remote_store.ProxyStore`) each call runs through it. A proxy
    never owns the backend: ``aclose()`` is a no-op; children share the layer.
    """

    __slots__ = ("_inner", "_layer")
    _inner: AsyncStore

    def __init__(self, inner: AsyncStore, *, layer: Layer | None = None) -> None:
        super().__init__(inner.backend, inner.root_path, _owns=False)
        self._inner = inner
        self._layer = layer

    @property
    def inner(self) -> AsyncStore:
        """The wrapped store."""
        return self._inner

    def child(self, subpath: str) -> AsyncStore:
        """The inner store's child, wrapped with the same layer."""
        wrapped = object.__new__(type(self))
        AsyncProxyStore.__init__(wrapped, self._inner.child(subpath), layer=self._layer)
        return wrapped

    @forward_only
    def _dispatch(self, call: Call, run: Run) -> Any:
        """The seam every operation goes through (see :meth:`ProxyStore._dispatch`)."""
        layer = self._layer
        if layer is None:
            return run()
        return dispatch_async(layer, call, run)

    async def aclose(self) -> None:
        """Proxies never own the backend: nothing to close."""


for _name, _method in forwarders(AsyncStore, async_method).items():
    _method.__qualname__ = f"AsyncProxyStore.{_name}"
    setattr(AsyncProxyStore, _name, _method)
del _name, _method
