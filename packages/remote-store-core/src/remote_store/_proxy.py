"""ProxyStore: the base of store middleware (cache, observe...)."""

from __future__ import annotations

from typing import Any, TypeVar

from remote_store._layered import ProxyCommon, dispatch, forward_only, forwarders
from remote_store._store import Store
from remote_store.layers import Call, Layer, Run

__all__ = ["ProxyStore"]

T = TypeVar("T")


class ProxyStore(ProxyCommon, Store):
    """A Store that forwards every call to ``inner``; subclasses override what they add.

    Every operation of :data:`remote_store.layers.OPERATIONS` goes through one seam,
    :meth:`_dispatch`; a middleware is a :class:`~remote_store.layers.Layer` given as
    ``layer`` (the proxy then runs every operation through it), or a subclass overriding
    methods. Without a layer, ``write_text`` encodes and calls ``self.write`` (as
    :class:`Store` does), so it reaches the inner store through a subclass's ``write``.

    A proxy never owns the backend: ``close()`` is a no-op. Subclasses implement
    :meth:`_wrap_child` so that :meth:`child` keeps the wrapper; a layered proxy's
    children share its layer.
    """

    __slots__ = ("_inner", "_layer")
    _inner: Store

    def __init__(self, inner: Store, *, layer: Layer | None = None) -> None:
        super().__init__(inner.backend, inner.root_path, _owns=False)
        self._inner = inner
        self._layer = layer

    @property
    def inner(self) -> Store:
        """The wrapped store."""
        return self._inner

    def _wrap_child(self, inner_child: Store) -> Store:
        """Wrap a child of the inner store: with the same layer, else not at all."""
        if self._layer is None:
            return inner_child
        wrapped = object.__new__(type(self))
        ProxyStore.__init__(wrapped, inner_child, layer=self._layer)
        return wrapped

    def child(self, subpath: str) -> Store:
        return self._wrap_child(self._inner.child(subpath))

    @forward_only
    def _dispatch(self, call: Call, run: Run) -> Any:
        """The seam every operation goes through: ``run()`` performs ``call`` on the inner
        store. Without a layer it just runs; with one, the layer sees the call."""
        layer = self._layer
        if layer is None:
            return run()
        return dispatch(layer, call, run)

    def close(self) -> None:
        """Proxies never own the backend: nothing to close."""


for _name, _method in forwarders(Store).items():
    _method.__qualname__ = f"ProxyStore.{_name}"
    setattr(ProxyStore, _name, _method)
del _name, _method
