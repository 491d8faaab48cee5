"""AsyncBackendSyncAdapter: an :class:`AsyncBackend` used as a sync :class:`Backend`.

Each adapter owns one private event loop in a daemon thread. A sync call submits a
coroutine to it and blocks until the result is back, so any number of threads can use
one adapter at once. Calling it from a thread that runs an event loop would block that
loop, so it is refused with :class:`RunningEventLoopError`. Reads and listings stream
across the threads (a chunk or a page at a time); streamed writes are fed through a
small bounded queue. ``close`` stops the loop and joins the thread; a finalizer does the
same for an adapter that is dropped or still open at interpreter exit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, BinaryIO, TypeVar

from remote_store._backend import Backend
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._models import WriteResult
from remote_store._streams import WritableContent, iter_content
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._backend_ops import ForwardsToAsync
from remote_store.aio._channel import SourceAborted
from remote_store.aio._errors import RunningEventLoopError
from remote_store.aio._loop_thread import LoopThread
from remote_store.errors import BackendUnavailable, CapabilityNotSupported

__all__ = ["AsyncBackendSyncAdapter"]

T = TypeVar("T")

#: Entries fetched per hop to the loop while listing.
LIST_PAGE_SIZE = 256
#: Chunks queued between a sync writer and the async write.
WRITE_QUEUE_DEPTH = 2
_END = object()


class AsyncBackendSyncAdapter(ForwardsToAsync, Backend):
    """A sync :class:`Backend` over an :class:`AsyncBackend`, safe to share between threads."""

    #: An adapter can do whatever its backend does; ``capabilities`` is the backend's.
    CAPABILITIES = CapabilitySet(Capability)

    def __init__(self, async_backend: AsyncBackend) -> None:
        if not isinstance(async_backend, AsyncBackend):
            raise TypeError(f"not an AsyncBackend: {type(async_backend).__name__}")
        self._async = async_backend
        self._runner = LoopThread(name=f"rs-aio-{async_backend.name}")
        self._finalizer = weakref.finalize(self, self._runner.stop, 5.0)

    @property
    def async_backend(self) -> AsyncBackend:
        """The wrapped async backend."""
        return self._async

    def __repr__(self) -> str:
        return f"AsyncBackendSyncAdapter({self._async!r})"

    # -- crossing to the loop ---------------------------------------------------------

    def _check_caller(self) -> None:
        if self._runner.stopped:
            raise BackendUnavailable("the adapter is closed", backend=self.name)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        raise RunningEventLoopError(
            "AsyncBackendSyncAdapter blocks, so it cannot be called from a running event "
            "loop; use AsyncStore (remote_store.aio) in async code instead",
            backend=self.name,
        )

    def _run(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        self._check_caller()
        future = self._runner.submit(make())
        return _wait(future)

    def _call(self, method: Callable[..., Coroutine[Any, Any, T]], *args: Any, **kwargs: Any) -> T:
        """A forwarded value operation: one coroutine on the loop."""
        return self._run(lambda: method(*args, **kwargs))

    def _listing(
        self, method: Callable[..., AsyncIterator[T]], *args: Any, **kwargs: Any
    ) -> Iterator[T]:
        """A forwarded listing, pulled a page at a time."""
        return self._pull(lambda: method(*args, **kwargs))

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        async def open_and_prefetch() -> tuple[AsyncIterator[bytes], bytes]:
            chunks = self._async.read(path)
            return chunks, await anext(chunks, b"")

        chunks, first = self._run(open_and_prefetch)  # a missing file fails here, not later
        seekable = Capability.SEEKABLE_READ in self.capabilities
        return _PulledStream(self, path, chunks, first, seekable=seekable)  # type: ignore[return-value]

    # -- writes -----------------------------------------------------------------------

    def _write(
        self,
        method: Callable[..., Coroutine[Any, Any, WriteResult]],
        path: str,
        content: WritableContent,
        **options: Any,
    ) -> WriteResult:
        if isinstance(content, (bytes, bytearray, memoryview)):
            data = bytes(content)
            return self._run(lambda: method(path, data, **options))
        self._check_caller()
        queue: asyncio.Queue[Any] = asyncio.Queue(WRITE_QUEUE_DEPTH)
        writing = self._runner.submit(method(path, _drain_queue(queue), **options))
        try:
            for chunk in iter_content(content):
                if not self._offer(queue, chunk, writing):
                    break  # the write ended early (refused or failed): its error follows
            else:
                self._offer(queue, _END, writing)
        except BaseException as exc:
            self._offer(queue, SourceAborted(repr(exc)), writing)
            concurrent.futures.wait([writing])
            raise
        return _wait(writing)

    def _offer(
        self, queue: asyncio.Queue[Any], item: object, writing: concurrent.futures.Future[Any]
    ) -> bool:
        """Queue ``item`` for the async write; ``False`` when the write has already ended."""
        putting = self._runner.submit(queue.put(item))
        concurrent.futures.wait([putting, writing], return_when=concurrent.futures.FIRST_COMPLETED)
        if putting.done():
            return True
        putting.cancel()
        return False

    # -- listings ---------------------------------------------------------------------

    def _pull(self, start: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
        """A sync generator over an async listing, fetching a page per hop to the loop."""

        async def begin() -> AsyncIterator[T]:
            return start()

        entries = self._run(begin)
        finished = False
        try:
            while not finished:
                page, finished = self._run(lambda: _take(entries, LIST_PAGE_SIZE))
                yield from page
        finally:
            if not finished:
                self._close_async_iterator(entries)

    def _close_async_iterator(self, iterator: AsyncIterator[Any]) -> None:
        close = getattr(iterator, "aclose", None)
        if close is None or self._runner.stopped:
            return
        try:
            self._run(close)
        except RunningEventLoopError:
            pass  # dropped inside a loop: the loop's own finalizer closes it

    # -- lifecycle --------------------------------------------------------------------

    def close(self, timeout: float = 30.0) -> None:
        """Close the async backend, stop the loop and join its thread (idempotent)."""
        if self._runner.stopped:
            return
        self._check_caller()
        try:
            future = self._runner.submit(self._async.aclose())
            try:
                future.result(timeout)
            except concurrent.futures.TimeoutError:
                future.cancel()
        finally:
            self._finalizer.detach()
            self._runner.stop(timeout)

    def unwrap(self, type_hint: type[T]) -> T:
        """The native handle, only when the async backend offers ``sync_safe_unwrap``."""
        if isinstance(self._async, type_hint):
            return self._async
        sync_safe: Any = getattr(self._async, "sync_safe_unwrap", None)
        if sync_safe is None:
            raise CapabilityNotSupported(
                f"{self.name} async backend offers no sync-safe native handle",
                capability="unwrap",
                backend=self.name,
            )
        handle: T = sync_safe(type_hint)
        return handle


def _wait(future: concurrent.futures.Future[T]) -> T:
    """The result, cancelling the coroutine when the waiting thread is interrupted."""
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


async def _drain_queue(queue: asyncio.Queue[Any]) -> AsyncIterator[bytes]:
    while True:
        item = await queue.get()
        if item is _END:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


async def _take(entries: AsyncIterator[T], count: int) -> tuple[list[T], bool]:
    page: list[T] = []
    async for entry in entries:
        page.append(entry)
        if len(page) >= count:
            return page, False
    return page, True


class _PulledStream(io.RawIOBase):
    """A sync read stream that pulls chunks of an async read through the adapter's loop.

    When the backend declares ``SEEKABLE_READ``, a seek drops the current async read
    and the next read starts a new one at the position (``AsyncBackend.read_from``).
    """

    def __init__(
        self,
        adapter: AsyncBackendSyncAdapter,
        path: str,
        chunks: AsyncIterator[bytes],
        first: bytes,
        *,
        seekable: bool,
    ) -> None:
        super().__init__()
        self._adapter = adapter
        self._path = path
        self._chunks: AsyncIterator[bytes] | None = chunks
        self._pending = memoryview(first)
        self._ended = not first
        self._seekable = seekable
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("this backend's reads do not seek")
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = self._adapter.get_file_info(self._path).size + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if target < 0:
            raise ValueError("negative seek position")
        if target != self._position:
            self._drop_chunks()
            self._position = target
            self._pending = memoryview(b"")
            self._ended = False
        return self._position

    def _drop_chunks(self) -> None:
        if self._chunks is not None and not self._ended:
            self._adapter._close_async_iterator(self._chunks)
        self._chunks = None

    def _next_chunk(self) -> bool:
        if self._ended:
            return False
        if self._chunks is None:
            path, position, backend = self._path, self._position, self._adapter.async_backend

            async def reopen() -> AsyncIterator[bytes]:
                return backend.read_from(path, position)

            self._chunks = self._adapter._run(reopen)
        chunks = self._chunks

        async def pull() -> bytes:
            return await anext(chunks, b"")

        chunk = self._adapter._run(pull)
        self._ended = not chunk
        self._pending = memoryview(chunk)
        return not self._ended

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if not self._pending and not self._next_chunk():
            return b""
        piece = self._pending[:size]
        self._pending = self._pending[size:]
        self._position += len(piece)
        return bytes(piece)

    def readall(self) -> bytes:
        parts = [bytes(self._pending)]
        self._pending = memoryview(b"")
        while self._next_chunk():
            parts.append(bytes(self._pending))
            self._pending = memoryview(b"")
        data = b"".join(parts)
        self._position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._drop_chunks()
            finally:
                super().close()
