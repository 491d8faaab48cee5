"""A bounded hand-over of chunks from an event loop to a blocking reader in a thread.

:class:`ChunkChannel` lets a coroutine feed an async source into a sync backend's
``write`` without materialising it: the coroutine ``put``s chunks (waiting, without a
thread, while the channel is full) and the backend reads a file-like
:class:`ChannelReader` in its worker thread. When the source fails or the task is
cancelled, the reader raises :class:`SourceAborted`, so the sync write abandons its
temporary file and the old one stays.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections import deque
from typing import Any

__all__ = ["ChannelReader", "ChunkChannel", "SourceAborted"]

#: Chunks the channel holds before the producer waits (about 4 MiB with 1 MiB chunks).
DEFAULT_DEPTH = 4


class SourceAborted(Exception):
    """Raised to the reading thread: the async source failed or its task was cancelled."""


class ChunkChannel:
    """Chunks from one producing coroutine to one consuming thread, at most ``depth`` queued."""

    def __init__(self, loop: asyncio.AbstractEventLoop, depth: int = DEFAULT_DEPTH) -> None:
        self._loop = loop
        self._depth = depth
        self._items: deque[bytes] = deque()
        self._cond = threading.Condition()
        self._space = asyncio.Event()
        self._finished = False
        self._failure: BaseException | None = None
        self._abandoned = False

    # -- producer side (event loop) ---------------------------------------------------

    async def put(self, chunk: bytes) -> bool:
        """Queue ``chunk``; ``False`` when the reader has gone and the chunk is unwanted."""
        while True:
            with self._cond:
                if self._abandoned:
                    return False
                if len(self._items) < self._depth:
                    self._items.append(chunk)
                    self._cond.notify()
                    return True
                self._space.clear()
            await self._space.wait()

    def finish(self, failure: BaseException | None = None) -> None:
        """End of the source; with ``failure`` the reader raises :class:`SourceAborted`."""
        with self._cond:
            self._finished = True
            self._failure = failure
            if failure is not None:
                self._items.clear()
            self._cond.notify_all()

    def abandon(self) -> None:
        """The reader is done (its write returned or failed): wake and stop the producer."""
        with self._cond:
            self._abandoned = True
            self._items.clear()
        self._space.set()

    # -- consumer side (worker thread) ------------------------------------------------

    def get(self) -> bytes:
        """The next chunk, blocking; ``b""`` at the end of the source."""
        with self._cond:
            while not self._items and not self._finished:
                self._cond.wait()
            if self._failure is not None:
                raise SourceAborted(repr(self._failure)) from self._failure
            if not self._items:
                return b""
            chunk = self._items.popleft()
        try:
            self._loop.call_soon_threadsafe(self._space.set)
        except RuntimeError:  # the loop has closed: nobody is waiting for space
            pass
        return chunk


class ChannelReader(io.RawIOBase):
    """A read-only binary stream over a :class:`ChunkChannel`, for a sync ``write``."""

    def __init__(self, channel: ChunkChannel) -> None:
        super().__init__()
        self._channel = channel
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if not self._pending:
            self._pending = memoryview(self._channel.get())
        piece = self._pending[:size]
        self._pending = self._pending[size:]
        return bytes(piece)

    def readall(self) -> bytes:
        parts = [bytes(self._pending)]
        self._pending = memoryview(b"")
        while chunk := self._channel.get():
            parts.append(chunk)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(memoryview(buffer)))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)
