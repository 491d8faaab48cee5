"""The sync side of the dispatch seam: running a :class:`Layer` around a Store call.

:func:`dispatch` runs one call through a layer and wraps what it returns so that the
layer's :class:`Watch` sees the stream or listing as the caller consumes it.
:func:`forwarders` builds the methods of a proxy class from the operation list.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO, TypeVar

from remote_store._store import AtomicWriteContext
from remote_store.errors import NotPicklable
from remote_store.layers import (
    OPERATIONS,
    PLAIN_OPERATIONS,
    Call,
    Hit,
    Kind,
    Layer,
    Operation,
    Run,
    Watch,
)

__all__ = ["ProxyCommon", "dispatch", "dispatch_with", "forward_only", "forwarders"]

F = TypeVar("F", bound=Callable[..., Any])


def dispatch(layer: Layer, call: Call, run: Run) -> Any:
    """Run ``call`` through ``layer`` (sync flavour)."""
    return dispatch_with(layer, call, run, _serve, _wrap)


def dispatch_with(
    layer: Layer,
    call: Call,
    run: Run,
    serve: Callable[[Kind, Any], Any],
    wrap: Callable[[Kind, Any, Watch], Any],
) -> Any:
    """The dispatch both flavours share: ``serve`` turns a :class:`Hit` into the
    operation's result, ``wrap`` puts a watched wrapper around a stream, listing or
    context; a value is reported to the watch as it is returned."""
    started = layer.start(call)
    kind = call.op.kind
    if isinstance(started, Hit):
        return serve(kind, started.value)
    if started is None:
        return run()
    try:
        result = run()
    except BaseException as exc:
        started.finish(None, exc, False)
        raise
    if kind is Kind.VALUE or kind is Kind.LOCAL:
        started.finish(result, None, True)
        return result
    return wrap(kind, result, started)


def _serve(kind: Kind, value: Any) -> Any:
    if kind is Kind.STREAM or kind is Kind.SEEKABLE:
        return io.BytesIO(value)
    return iter(value) if kind is Kind.LISTING else value


def _wrap(kind: Kind, result: Any, watch: Watch) -> Any:
    if kind is Kind.LISTING:
        return WatchedIterator(iter(result), watch)
    if kind is Kind.ATOMIC:
        return WatchedAtomicWrite(result, watch)
    return WatchedReader(result, watch)


class ProxyCommon:
    """What :class:`~remote_store.ProxyStore` and ``AsyncProxyStore`` share besides the
    seam: no pickling, the repr, and attributes looked up on the inner store."""

    __slots__ = ()
    _inner: Any

    def __reduce__(self) -> tuple[Any, ...]:
        """Refused: the wrapper's state (a cache, callbacks) belongs to this process."""
        raise NotPicklable(
            f"a {type(self).__name__} cannot be pickled: its state belongs to this process; "
            f"pickle its inner store ('.inner') and wrap it again on the other side"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._inner!r})"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_inner", "_layer"):
            raise AttributeError(name)
        return getattr(self._inner, name)


class _Once:
    """Calls ``watch.finish`` at most once."""

    __slots__ = ("done", "watch")

    def __init__(self, watch: Any) -> None:
        self.watch = watch
        self.done = False

    def finish(self, result: Any, error: BaseException | None, completed: bool) -> None:
        if not self.done:
            self.done = True
            self.watch.finish(result, error, completed)


class WatchedReader(io.RawIOBase):
    """A read stream reporting chunks, its end and seeks; finished on close or error."""

    def __init__(self, inner: IO[bytes] | BinaryIO, watch: Any) -> None:
        super().__init__()
        self._inner = inner
        self._watch = watch
        self._once = _Once(watch)
        self._at_eof = False

    def _seen(self, data: bytes, requested: int) -> None:
        if data:
            self._watch.item(data)
        at_end = (not data and requested != 0) or (requested < 0 and bool(data))
        if at_end and not self._at_eof:
            self._at_eof = True
            self._watch.end()

    def _failed(self, exc: BaseException) -> None:
        self._once.finish(None, exc, False)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        requested = -1 if size is None else size
        try:
            data = bytes(self._inner.read(requested) or b"")
        except BaseException as exc:
            self._failed(exc)
            raise
        self._seen(data, requested)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        try:
            data = bytes(self._inner.readline(-1 if size is None else size))
        except BaseException as exc:
            self._failed(exc)
            raise
        self._seen(data, 1)
        return data

    def seekable(self) -> bool:
        return bool(self._inner.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._at_eof = False
        self._watch.seek()
        return int(self._inner.seek(offset, whence))

    def tell(self) -> int:
        return int(self._inner.tell())

    def close(self) -> None:
        if self.closed:
            return
        error: BaseException | None = None
        try:
            self._inner.close()
        except BaseException as exc:
            error = exc
            raise
        finally:
            super().close()
            self._once.finish(None, error, self._at_eof)


class WatchedIterator(Iterator[Any]):
    """A listing reporting each entry; finished at its end, on close or on an error."""

    def __init__(self, inner: Iterator[Any], watch: Any) -> None:
        self._inner = inner
        self._watch = watch
        self._once = _Once(watch)

    def __iter__(self) -> WatchedIterator:
        return self

    def __next__(self) -> Any:
        try:
            item = next(self._inner)
        except StopIteration:
            self._watch.end()
            self._once.finish(None, None, True)
            raise
        except BaseException as exc:
            self._once.finish(None, exc, False)
            raise
        self._watch.item(item)
        return item

    def close(self) -> None:
        """Stop the listing early (the watch is finished with ``completed=False``)."""
        if self._once.done:
            return
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()
        self._once.finish(None, None, False)

    def __del__(self) -> None:
        self._once.finish(None, None, False)


class WatchedAtomicWrite(AtomicWriteContext):
    """Wraps an ``open_atomic`` context; the watch is finished after the commit."""

    def __init__(self, inner: AtomicWriteContext, watch: Any) -> None:
        self._wrapped = inner
        self._once = _Once(watch)
        self.result = None

    def __enter__(self) -> BinaryIO:
        try:
            return self._wrapped.__enter__()
        except BaseException as exc:
            self._once.finish(None, exc, False)
            raise

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        try:
            self._wrapped.__exit__(exc_type, exc, traceback)
        except BaseException as error:
            self._once.finish(None, error, False)
            raise
        self.result = self._wrapped.result
        self._once.finish(self.result, exc, exc is None)


# -- building a proxy's methods from the operation list -------------------------------


def _inner_call(op: Operation, inner: Any, call: Call) -> Run:
    if op.via is not None:
        return functools.partial(getattr(inner, op.via), call.path)
    return functools.partial(getattr(inner, op.name), *call.args, **call.kwargs)


def decode_text(op: Operation, call: Call, data: bytes) -> Any:
    """What a ``via`` operation returns from the inner operation's result."""
    if op.name == "read_text":
        arguments = call.arguments
        return data.decode(arguments["encoding"], arguments["errors"])
    return data  # pragma: no cover - read_text is the only ``via`` operation


def prepare(op: Operation, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Arguments a layer may look at more than once (``delete_many``'s paths as a list)."""
    if op.name == "delete_many" and args and not isinstance(args[0], (str, bytes)):
        return (list(args[0]), *args[1:])
    if op.name == "delete_many" and "paths" in kwargs:
        paths = kwargs["paths"]
        kwargs["paths"] = list(paths) if not isinstance(paths, (str, bytes)) else paths
    return args


def forward_only(dispatch: F) -> F:
    """Marks a proxy's own ``_dispatch``: without a layer, its methods call the inner
    store directly (no :class:`Call` is built). A subclass overriding ``_dispatch`` gets
    every call through its override."""
    dispatch.forward_only = True  # type: ignore[attr-defined]
    return dispatch


def is_forward_only(proxy: Any) -> bool:
    """Whether ``proxy`` has no layer and no ``_dispatch`` of its own."""
    return proxy._layer is None and getattr(type(proxy)._dispatch, "forward_only", False)


def _sync_method(op: Operation, reference: Callable[..., Any]) -> Callable[..., Any]:
    name = op.name

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if is_forward_only(self):
            if op.own_without_layer:
                return reference(self, *args, **kwargs)
            return getattr(self._inner, name)(*args, **kwargs)
        args = prepare(op, args, kwargs)
        call = Call(op, self._inner, args, kwargs)
        result = self._dispatch(call, _inner_call(op, self._inner, call))
        return result if op.via is None else decode_text(op, call, result)

    return functools.wraps(reference)(method)


def _plain_method(name: str, reference: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._inner, name)(*args, **kwargs)

    return functools.wraps(reference)(method)


def forwarders(
    reference: type,
    build: Callable[[Operation, Callable[..., Any]], Callable[..., Any]] = _sync_method,
) -> dict[str, Callable[..., Any]]:
    """The methods of a proxy of ``reference`` (a store class): one per operation,
    each forwarding through ``self._dispatch``, and the plain ones forwarding as they are.
    Each keeps the name, docstring and signature of ``reference``'s method."""
    methods = {name: build(op, getattr(reference, name)) for name, op in OPERATIONS.items()}
    for name in PLAIN_OPERATIONS:
        methods[name] = _plain_method(name, getattr(reference, name))
    return methods
