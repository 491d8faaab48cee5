"""Middleware layers: one operation list and one dispatch seam for sync and async stores.

A store operation (``read``, ``write``, ``list_files``...) is declared once, in
:data:`OPERATIONS`. :class:`~remote_store.ProxyStore` and
:class:`~remote_store.aio.AsyncProxyStore` build their methods from that list: each
method forwards to the wrapped store through one seam, ``_dispatch(call, run)``, where
``call`` describes the operation (a :class:`Call`) and ``run`` performs it on the inner
store. A middleware is a :class:`Layer` plugged into that seam, written once and used
by both flavours:

* :meth:`Layer.start` runs before the operation. It returns ``None`` (not interested),
  a :class:`Hit` (answer without asking the inner store: a cache) or a :class:`Watch`
  that follows the operation.
* The :class:`Watch` sees what the caller receives: each chunk of a read stream and
  each entry of a listing (:meth:`Watch.item`), the end of a stream or listing
  (:meth:`Watch.end`), a seek, and finally the outcome, exactly once
  (:meth:`Watch.finish`): when a call returns or raises, when a listing is exhausted,
  closed or fails, when a read stream is closed or fails, after an ``open_atomic``
  block's commit.

The sync and async dispatchers (``remote_store._layered`` and
``remote_store.aio._layered``) differ only in how they call, await and wrap; the layers
never see the difference.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import Enum
from typing import Any, NamedTuple

__all__ = ["OPERATIONS", "Call", "Hit", "Kind", "Layer", "Operation", "Watch"]


class Kind(Enum):
    """How an operation delivers its result (what a dispatcher wraps)."""

    #: a value: returned (sync) or awaited (async)
    VALUE = "value"
    #: a value computed without I/O: a plain call in both flavours (``resolve``)
    LOCAL = "local"
    #: a read stream: a binary file object (sync) or an async iterator of chunks (async)
    STREAM = "stream"
    #: a seekable read: a stream (sync) or an awaited, spooled reader (async)
    SEEKABLE = "seekable"
    #: a listing: an iterator (sync) or an async iterator (async)
    LISTING = "listing"
    #: ``open_atomic``: a context manager (sync) or an async context manager (async)
    ATOMIC = "atomic"


class Operation(NamedTuple):
    """One store operation as the middleware sees it.

    ``path_param`` names the argument reported as the operation's path (``None``: no
    path, ``""`` is reported). ``via`` names another inner operation that performs it
    (``read_text`` reads bytes through ``read_bytes``; the proxy decodes them), so a layer
    treats both alike. ``group`` is what it does (``query``, ``read``, ``write``,
    ``delete``, ``move``, ``copy``, ``ping``); ``mutates`` whether it changes the store.
    ``own_without_layer``: a proxy without a layer runs the store class's own method
    instead of forwarding (``write_text`` encodes and calls the proxy's ``write``, so a
    subclass overriding only ``write`` sees text writes too).
    """

    name: str
    kind: Kind
    path_param: str | None = "path"
    via: str | None = None
    group: str = "query"
    mutates: bool = False
    own_without_layer: bool = False

    def signature(self) -> Any:
        """The ``inspect.Signature`` of the operation (from :class:`~remote_store.Store`)."""
        return _signature(self.name)


@functools.cache
def _signature(name: str) -> Any:
    import inspect

    from remote_store._store import Store

    return inspect.signature(getattr(Store, name))


def _ops(*operations: Operation) -> dict[str, Operation]:
    return {op.name: op for op in operations}


V, L = Kind.VALUE, Kind.LISTING

#: Every operation the proxies dispatch, in the order of the Store's documentation.
OPERATIONS: dict[str, Operation] = _ops(
    Operation("exists", V),
    Operation("is_file", V),
    Operation("is_folder", V),
    Operation("read", Kind.STREAM, group="read"),
    Operation("read_seekable", Kind.SEEKABLE, group="read"),
    Operation("read_bytes", V, group="read"),
    Operation("read_text", V, via="read_bytes", group="read"),
    Operation("write", V, group="write", mutates=True),
    Operation("write_text", V, group="write", mutates=True, own_without_layer=True),
    Operation("write_atomic", V, group="write", mutates=True),
    Operation("open_atomic", Kind.ATOMIC, group="write", mutates=True),
    Operation("delete", V, group="delete", mutates=True),
    Operation("delete_many", V, path_param="paths", group="delete", mutates=True),
    Operation("delete_folder", V, group="delete", mutates=True),
    Operation("move", V, path_param="src", group="move", mutates=True),
    Operation("copy", V, path_param="src", group="copy", mutates=True),
    Operation("list_files", L),
    Operation("list_folders", L),
    Operation("iter_children", L),
    Operation("glob", L, path_param="pattern"),
    Operation("get_file_info", V),
    Operation("head", V),
    Operation("get_folder_info", V),
    Operation("resolve", Kind.LOCAL, path_param="key"),
    Operation("ping", V, path_param=None, group="ping"),
)

#: Forwarded to the inner store as they are: no I/O worth a layer.
PLAIN_OPERATIONS = ("unwrap", "native_path", "to_key", "supports")


class Call:
    """One call of an operation through a proxy: what a layer is told about it.

    ``store`` is the wrapped (inner) store, ``path`` the path as given (for
    ``delete_many`` the list of paths), ``arguments`` every argument by name with the
    defaults filled in (computed on first use).
    """

    __slots__ = ("_arguments", "args", "kwargs", "op", "path", "store")

    def __init__(self, op: Operation, store: Any, args: tuple[Any, ...], kwargs: dict[str, Any]):
        self.op = op
        self.store = store
        self.args = args
        self.kwargs = kwargs
        self._arguments: dict[str, Any] | None = None
        if op.path_param is None:
            self.path: Any = ""
        elif args:
            self.path = args[0]
        else:
            self.path = kwargs.get(op.path_param, "")

    @property
    def arguments(self) -> dict[str, Any]:
        """All arguments by name, defaults included."""
        if self._arguments is None:
            bound = self.op.signature().bind(None, *self.args, **self.kwargs)
            bound.apply_defaults()
            self._arguments = dict(bound.arguments)
            self._arguments.pop("self", None)
        return self._arguments


class Hit:
    """A layer's answer in place of the inner store's.

    ``value`` is the result for a value operation, the file's bytes for a read
    (served as a stream of the right flavour) and a sequence of entries for a listing.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Watch:
    """Follows one operation for a layer; every method is optional (a no-op here)."""

    def item(self, value: Any) -> None:
        """A chunk of a read stream or an entry of a listing, as the caller receives it."""

    def end(self) -> None:
        """The read stream or listing reached its end."""

    def seek(self) -> None:
        """The caller moved the read position of the stream."""

    def finish(self, result: Any, error: BaseException | None, completed: bool) -> None:
        """The outcome, once: ``result`` of a value (or the ``WriteResult`` of
        ``open_atomic``), ``error`` if it failed, and whether a stream or listing was
        consumed to its end (``True`` for other operations)."""


class Layer:
    """A middleware written once for sync and async stores (see the module's text)."""

    def start(self, call: Call) -> Watch | Hit | None:
        """Before ``call`` runs: ``None``, a :class:`Hit` or a :class:`Watch`."""
        return None


#: A callable running the operation on the inner store.
Run = Callable[[], Any]
