"""The async side of the dispatch seam: running a :class:`Layer` around an AsyncStore call.

The layers are the sync ones (:mod:`remote_store.layers`); only the calling, awaiting
and wrapping differ from :mod:`remote_store._layered`.
"""

from __future__ import annotations

import functools
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

from remote_store._layered import _Once, decode_text, dispatch_with, is_forward_only, prepare
from remote_store.aio._atomic import SeekableReader
from remote_store.layers import Call, Hit, Kind, Layer, Operation, Run, Watch

__all__ = ["WatchedAsyncAtomicWrite", "WatchedChunks", "async_method", "dispatch_async"]


def dispatch_async(layer: Layer, call: Call, run: Run) -> Any:
    """Run ``call`` through ``layer`` (async flavour): an awaitable for an awaited
    operation, the wrapped stream, listing or context for the others."""
    kind = call.op.kind
    if kind is Kind.VALUE or kind is Kind.SEEKABLE:
        return _awaited(layer, call, run)
    return dispatch_with(layer, call, run, _serve, _wrap)


def _serve(kind: Kind, value: Any) -> Any:
    if kind is Kind.STREAM:
        return WatchedChunks(_chunks_of((value,) if value else ()), Watch())
    return _chunks_of(value) if kind is Kind.LISTING else value


def _wrap(kind: Kind, result: Any, watch: Watch) -> Any:
    if kind is Kind.ATOMIC:
        return WatchedAsyncAtomicWrite(result, watch)
    return WatchedChunks(result, watch)


async def _awaited(layer: Layer, call: Call, run: Run) -> Any:
    started = layer.start(call)
    if isinstance(started, Hit):
        if call.op.kind is Kind.SEEKABLE:
            return SeekableReader(io.BytesIO(started.value))
        return started.value
    if started is None:
        return await run()
    try:
        result = await run()
    except BaseException as exc:
        started.finish(None, exc, False)
        raise
    started.finish(result, None, True)
    return result


async def _chunks_of(items: Any) -> AsyncIterator[Any]:
    for item in items:
        yield item


class WatchedChunks:
    """An async read stream or listing reporting each item; finished at its end, on
    ``aclose`` or on an error. Offers what :class:`~remote_store.aio.AsyncReadStream`
    offers (``read``, ``async with``) so it stands for either."""

    def __init__(self, inner: AsyncIterator[Any], watch: Watch) -> None:
        self._inner = inner
        self._watch = watch
        self._once = _Once(watch)

    def __aiter__(self) -> WatchedChunks:
        return self

    async def __anext__(self) -> Any:
        try:
            item = await self._inner.__anext__()
        except StopAsyncIteration:
            self._watch.end()
            self._once.finish(None, None, True)
            raise
        except BaseException as exc:
            self._once.finish(None, exc, False)
            raise
        self._watch.item(item)
        return item

    async def read(self) -> bytes:
        """Everything not read yet (a read stream)."""
        return b"".join([chunk async for chunk in self])

    async def aclose(self) -> None:
        """Stop early and release the inner stream or listing."""
        if self._once.done:
            return
        try:
            close = getattr(self._inner, "aclose", None)
            if close is not None:
                await close()
        finally:
            self._once.finish(None, None, False)

    async def __aenter__(self) -> WatchedChunks:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class WatchedAsyncAtomicWrite:
    """Wraps an async ``open_atomic`` context; the watch is finished after the commit."""

    def __init__(self, inner: Any, watch: Watch) -> None:
        self._wrapped = inner
        self._once = _Once(watch)
        self.result: Any = None

    async def __aenter__(self) -> Any:
        try:
            return await self._wrapped.__aenter__()
        except BaseException as exc:
            self._once.finish(None, exc, False)
            raise

    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        try:
            await self._wrapped.__aexit__(exc_type, exc, traceback)
        except BaseException as error:
            self._once.finish(None, error, False)
            raise
        self.result = self._wrapped.result
        self._once.finish(self.result, exc, exc is None)


_NO_CALL: Any = object()


def async_method(op: Operation, reference: Callable[..., Any]) -> Callable[..., Any]:
    """The method of :class:`AsyncProxyStore` for ``op``: ``async def`` for an awaited
    operation, a plain method returning the stream, listing or context for the others."""

    def call_of(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Call, Run]:
        if is_forward_only(self):
            if op.own_without_layer:
                return _NO_CALL, functools.partial(reference, self, *args, **kwargs)
            return _NO_CALL, functools.partial(getattr(self._inner, op.name), *args, **kwargs)
        args = prepare(op, args, kwargs)
        call = Call(op, self._inner, args, kwargs)
        if op.via is not None:
            return call, functools.partial(getattr(self._inner, op.via), call.path)
        return call, functools.partial(getattr(self._inner, op.name), *args, **kwargs)

    if op.kind is Kind.VALUE or op.kind is Kind.SEEKABLE:

        async def awaited(self: Any, *args: Any, **kwargs: Any) -> Any:
            call, run = call_of(self, args, kwargs)
            if call is _NO_CALL:
                return await run()
            result = await self._dispatch(call, run)
            return result if op.via is None else decode_text(op, call, result)

        return functools.wraps(reference)(awaited)

    def plain(self: Any, *args: Any, **kwargs: Any) -> Any:
        call, run = call_of(self, args, kwargs)
        return run() if call is _NO_CALL else self._dispatch(call, run)

    return functools.wraps(reference)(plain)
