"""SyncBackendAdapter: any sync :class:`Backend` used from async code via worker threads.

* Short calls (stat, delete, a chunk of a read, a page of a listing) run in one pool.
  They never wait on the event loop, so they always finish.
* A streamed write holds a thread of a second pool for its whole length: the sync
  ``write`` reads a :class:`ChannelReader` that the calling task feeds chunk by chunk.
  Keeping the two pools apart means a write whose source is a read through the same
  adapter cannot starve that read of threads.
* Reads and listings stream: a chunk or a page at a time, never the whole thing.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any, BinaryIO, TypeVar

from remote_store._backend import Backend
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._models import WriteResult
from remote_store._streams import CHUNK_SIZE
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._backend_ops import ForwardsToSync
from remote_store.aio._channel import ChannelReader, ChunkChannel
from remote_store.aio._content import AsyncWritableContent, aiter_content

__all__ = ["SyncBackendAdapter"]

T = TypeVar("T")
R = TypeVar("R")

#: Entries fetched per hop to the worker thread while listing.
LIST_PAGE_SIZE = 256

#: Seconds ``aclose`` waits for the worker threads to finish their calls.
CLOSE_TIMEOUT = 30.0


class SyncBackendAdapter(ForwardsToSync, AsyncBackend):
    """Runs a sync backend in worker threads; capabilities and errors are forwarded."""

    #: An adapter can do whatever its backend does; ``capabilities`` is the backend's.
    CAPABILITIES = CapabilitySet(Capability)

    def __init__(
        self, backend: Backend, *, max_workers: int = 16, max_streaming_writes: int = 16
    ) -> None:
        self._backend = backend
        self._calls = ThreadPoolExecutor(max_workers, thread_name_prefix="rs-aio-call")
        self._writes = ThreadPoolExecutor(max_streaming_writes, thread_name_prefix="rs-aio-write")

    @property
    def backend(self) -> Backend:
        """The wrapped sync backend."""
        return self._backend

    def __repr__(self) -> str:
        return f"SyncBackendAdapter({self._backend!r})"

    async def _run(self, function: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._calls, functools.partial(function, *args, **kwargs))

    #: A forwarded value operation: one call in a worker thread.
    _call = _run

    def _listing(
        self, method: Callable[..., Iterator[T]], *args: Any, **kwargs: Any
    ) -> AsyncIterator[T]:
        """A forwarded listing, pulled a page at a time."""
        return self._pages(functools.partial(method, *args, **kwargs))

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> AsyncIterator[bytes]:
        return self._read(path, 0)

    def read_from(self, path: str, offset: int) -> AsyncIterator[bytes]:
        return self._read(path, offset)

    async def _read(self, path: str, offset: int) -> AsyncIterator[bytes]:
        stream: BinaryIO = await self._run(self._backend.read, path)
        try:
            if offset:
                await self._run(_advance, stream, offset)
            while chunk := await self._run(stream.read, CHUNK_SIZE):
                yield bytes(chunk)
        finally:
            await _finally_in_thread(self._calls, stream.close)

    # -- writes -----------------------------------------------------------------------

    async def _write(
        self,
        method: Callable[..., WriteResult],
        path: str,
        content: AsyncWritableContent,
        **options: Any,
    ) -> WriteResult:
        if isinstance(content, bytes):
            return await self._run(method, path, content, **options)
        loop = asyncio.get_running_loop()
        channel = ChunkChannel(loop)
        call = functools.partial(method, path, ChannelReader(channel), **options)
        writing = loop.run_in_executor(self._writes, call)
        writing.add_done_callback(lambda _: channel.abandon())
        try:
            async for chunk in aiter_content(content):
                if not await channel.put(chunk):
                    break  # the write ended early (refused or failed): its error follows
        except BaseException as exc:
            channel.finish(exc)
            await _settle(writing)  # the sync write sees the failure and drops its temp file
            raise
        channel.finish()
        return await _wait_uncancelled(writing)

    # -- listings ---------------------------------------------------------------------

    async def _pages(self, start: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
        """Pull a sync listing a page at a time in a worker thread."""
        entries = await self._run(start)
        try:
            while page := await self._run(_take, entries, LIST_PAGE_SIZE):
                for entry in page:
                    yield entry
        finally:
            close = getattr(entries, "close", None)
            if close is not None:
                await _finally_in_thread(self._calls, close)

    # -- lifecycle --------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the backend, then stop both pools; waits up to 30 s for their threads."""
        try:
            await self._run(self._backend.close)
        finally:
            pools = (self._calls, self._writes)
            for pool in pools:
                pool.shutdown(wait=False)
            # joined from a helper thread: the event loop must not block on a stuck call
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.to_thread(_join, pools), CLOSE_TIMEOUT)

    def unwrap(self, type_hint: type[T]) -> T:
        if isinstance(self._backend, type_hint):
            return self._backend
        return self._backend.unwrap(type_hint)


def _advance(stream: BinaryIO, offset: int) -> None:
    """Move a fresh stream ``offset`` bytes on: a seek when it can, else reading past."""
    if stream.seekable():
        stream.seek(offset)
        return
    while offset > 0:
        skipped = stream.read(min(offset, CHUNK_SIZE))
        if not skipped:
            return
        offset -= len(skipped)


def _take(entries: Iterator[T], count: int) -> list[T]:
    return list(islice(entries, count))


async def _settle(future: asyncio.Future[Any]) -> None:
    """Wait until ``future`` is done, through further cancellations; ignore its outcome."""
    cancelled = False
    while not future.done():
        try:
            await asyncio.wait([future])
        except asyncio.CancelledError:
            cancelled = True
    if not future.cancelled():
        future.exception()  # mark retrieved
    if cancelled:
        raise asyncio.CancelledError


async def _wait_uncancelled(future: asyncio.Future[R]) -> R:
    """The write's result; on cancellation the write is still awaited before re-raising."""
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await _settle(future)
        raise


def _join(pools: tuple[ThreadPoolExecutor, ...]) -> None:
    for pool in pools:
        pool.shutdown(wait=True)


async def _finally_in_thread(pool: ThreadPoolExecutor, close: Callable[[], object]) -> None:
    """Run a cleanup in a worker thread; inline when the pool has shut down."""
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(pool, close)
    except RuntimeError:  # pool shut down
        with contextlib.suppress(Exception):
            close()
