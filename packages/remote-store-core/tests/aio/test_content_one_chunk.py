"""aiter_content holds one source chunk at a time: while the next chunk is read (in a
worker thread, or from an async source), the previous one is already free."""

from __future__ import annotations

import asyncio
import gc
import io
import time
import weakref
from collections.abc import AsyncIterator

from remote_store.aio import AsyncMemoryBackend, AsyncStore
from remote_store.aio._content import aiter_content


class Chunk(bytearray):
    """A bytes-like chunk that can be watched with a weak reference (bytes cannot)."""


class WatchedSource:
    """A blocking binary stream whose every read reports how many of the chunks it handed
    out earlier are still alive somewhere.

    Only lasting holders count: the report collects reference cycles and gives the
    thread pool's worker up to a second to drop its finished work item (it holds the
    last result for a moment after the loop has it). A holder suspended on this very
    read, as the caller is, never lets go in that second.
    """

    def __init__(self, chunks: int, size: int) -> None:
        self.remaining, self.size = chunks, size
        self.handed: list[weakref.ref[Chunk]] = []
        self.alive_at_read: list[int] = []

    def _alive(self) -> int:
        gc.collect()
        return sum(ref() is not None for ref in self.handed)

    def _report(self) -> None:
        deadline = time.monotonic() + 1.0
        while (alive := self._alive()) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.alive_at_read.append(alive)

    def read(self, size: int = -1) -> Chunk:
        self._report()
        if not self.remaining:
            return Chunk()
        self.remaining -= 1
        chunk = Chunk(b"c" * self.size)
        self.handed.append(weakref.ref(chunk))
        return chunk


def test_a_sync_stream_source_keeps_no_chunk_across_reads() -> None:
    source = WatchedSource(chunks=5, size=1000)

    async def drain() -> int:
        total = 0
        async for piece in aiter_content(source, chunk_size=1000):
            total += len(piece)
        return total

    assert asyncio.run(drain()) == 5000
    assert len(source.alive_at_read) == 6
    assert source.alive_at_read == [0] * 6, source.alive_at_read


def test_an_async_source_keeps_no_chunk_across_reads() -> None:
    watched = WatchedSource(chunks=5, size=1000)

    async def produce() -> AsyncIterator[Chunk]:
        while chunk := watched.read():
            yield chunk
            del chunk  # the producer lets go; only aiter_content may still hold it

    async def drain() -> int:
        total = 0
        async for piece in aiter_content(produce()):
            total += len(piece)
        return total

    assert asyncio.run(drain()) == 5000
    assert watched.alive_at_read == [0] * 6, watched.alive_at_read


def test_an_async_store_write_from_a_stream_holds_one_chunk() -> None:
    """Through the whole AsyncStore write path: the bytes arrive whole and in order."""
    source = WatchedSource(chunks=4, size=64 * 1024)

    async def write() -> bytes:
        async with AsyncStore(AsyncMemoryBackend()) as store:
            await store.write("f", source)  # type: ignore[arg-type]
            return await store.read_bytes("f")

    assert asyncio.run(write()) == b"c" * (4 * 64 * 1024)
    assert source.alive_at_read == [0] * 5, source.alive_at_read


def test_bytes_like_sources_still_round_trip() -> None:
    async def collect(content: object) -> bytes:
        return b"".join([piece async for piece in aiter_content(content)])

    assert asyncio.run(collect(io.BytesIO(b"abc" * 100_000))) == b"abc" * 100_000
    assert asyncio.run(collect(memoryview(b"xyz"))) == b"xyz"
    assert asyncio.run(collect(b"")) == b""
