"""Spooling for :meth:`AsyncStore.open_atomic` and :meth:`AsyncStore.read_seekable`.

A spool keeps 8 MiB in memory and moves to a temporary file beyond that; its file I/O
runs in worker threads so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import IO, Any

from remote_store._models import WriteResult
from remote_store._streams import CHUNK_SIZE, SPOOL_MAX_MEMORY
from remote_store.errors import InvalidArgument, RemoteStoreError

__all__ = ["AsyncAtomicWrite", "AsyncSpoolSink", "SeekableReader", "spool_async"]

Commit = Callable[[str, AsyncIterator[bytes], bool, Any], Awaitable[WriteResult]]


def _new_spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY)


async def spool_async(chunks: AsyncIterable[bytes]) -> IO[bytes]:
    """Copy ``chunks`` into a rewound spool."""
    target = _new_spool()
    try:
        async for chunk in chunks:
            await asyncio.to_thread(target.write, chunk)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return target


async def _drain_spool(spool: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(spool.read, CHUNK_SIZE):
        yield chunk


class AsyncSpoolSink:
    """The writable object inside ``open_atomic``: ``await sink.write(data)``."""

    def __init__(self) -> None:
        self._spool = _new_spool()
        self._size = 0

    async def write(self, data: bytes | bytearray | memoryview) -> int:
        """Append ``data``; returns its length."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgument(f"write() takes bytes, not {type(data).__name__}")
        count = len(memoryview(data).cast("B"))
        await asyncio.to_thread(self._spool.write, data)
        self._size += count
        return count

    def tell(self) -> int:
        """Bytes written so far."""
        return self._size

    @property
    def closed(self) -> bool:
        """Whether the sink has been committed or discarded."""
        return self._spool.closed


class AsyncAtomicWrite:
    """``async with store.open_atomic(path) as sink``: committed in one write on clean exit."""

    def __init__(
        self,
        commit: Commit,
        key: str,
        overwrite: bool,
        metadata: Any,
        precheck: Callable[[], Awaitable[None]] | None = None,
        locate: Callable[[RemoteStoreError], object] | None = None,
    ) -> None:
        self._commit = commit
        self._locate = locate
        self._precheck = precheck
        self._key = key
        self._overwrite = overwrite
        self._metadata = metadata
        self._sink: AsyncSpoolSink | None = None
        self.result: WriteResult | None = None

    async def __aenter__(self) -> AsyncSpoolSink:
        if self._precheck is not None:
            try:
                await self._precheck()
            except RemoteStoreError as error:
                if self._locate is not None:
                    self._locate(error)
                raise
        self._sink = AsyncSpoolSink()
        return self._sink

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._sink is not None
        spool = self._sink._spool
        try:
            if exc_type is None:
                spool.seek(0)
                self.result = await self._commit(
                    self._key, _drain_spool(spool), self._overwrite, self._metadata
                )
        except RemoteStoreError as error:
            if self._locate is not None:
                self._locate(error)
            raise
        finally:
            spool.close()


class SeekableReader:
    """A seekable reader over a spooled copy of a file (what ``read_seekable`` returns).

    ``await read(n)``, ``seek``, ``tell``; ``file`` is the sync seekable stream for
    libraries that need one. Close it with ``aclose`` or ``async with``.
    """

    def __init__(self, spool: IO[bytes]) -> None:
        self._spool = spool

    @property
    def file(self) -> IO[bytes]:
        """The underlying sync, seekable binary stream."""
        return self._spool

    async def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all the rest when negative); ``b""`` at the end."""
        return await asyncio.to_thread(self._spool.read, size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move the position; returns the new one."""
        return self._spool.seek(offset, whence)

    def tell(self) -> int:
        """The current position."""
        return self._spool.tell()

    def seekable(self) -> bool:
        """Always true."""
        return True

    async def aclose(self) -> None:
        """Release the spool (safe to call twice)."""
        self._spool.close()

    async def __aenter__(self) -> SeekableReader:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
