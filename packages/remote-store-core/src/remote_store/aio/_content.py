"""Content accepted by async writes, and turning it into a stream of chunks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from typing import IO, Any, BinaryIO, TypeAlias

from remote_store._streams import CHUNK_SIZE
from remote_store.errors import InvalidArgument

__all__ = ["AsyncWritableContent", "aiter_content", "check_async_content", "normalize_content"]

#: What an :class:`AsyncBackend` write accepts: the bytes, or an async iterator of chunks.
AsyncWritableContent: TypeAlias = bytes | AsyncIterator[bytes]

#: What :class:`AsyncStore` writes accept: the above, other bytes-likes, or a sync stream.
AsyncStoreContent: TypeAlias = (
    bytes | bytearray | memoryview | AsyncIterable[bytes] | BinaryIO | IO[bytes]
)


def check_async_content(content: object) -> None:
    """Refuse anything that is not bytes-like, an async iterable or a readable stream."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        return
    if hasattr(content, "__aiter__") or callable(getattr(content, "read", None)):
        return
    raise InvalidArgument(
        "content must be bytes, an async iterator of bytes or a readable binary stream, "
        f"not {type(content).__name__}"
    )


def normalize_content(content: Any) -> AsyncWritableContent:
    """``bytes`` stay bytes; everything else becomes an async iterator of chunks."""
    if isinstance(content, bytes):
        return content
    if isinstance(content, (bytearray, memoryview)):
        return bytes(content)
    return aiter_content(content)


async def aiter_content(content: Any, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
    """Yield checked, non-empty ``bytes`` chunks of any accepted content.

    A sync stream is read from its current position in a worker thread, one chunk at
    a time, so a slow file never blocks the event loop.
    """
    if isinstance(content, (bytes, bytearray, memoryview)):
        if len(content):
            yield bytes(content)
        return
    if hasattr(content, "__aiter__"):
        async for chunk in content:
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise InvalidArgument("async content must yield bytes")
            if len(chunk):
                yield bytes(chunk)
            del chunk  # not kept alive while the source makes the next one
        return
    read = getattr(content, "read", None)
    if not callable(read):
        check_async_content(content)
        return
    while True:
        chunk = await asyncio.to_thread(read, chunk_size)
        if not chunk:
            return
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise InvalidArgument("content stream must yield bytes (open it in binary mode)")
        yield bytes(chunk)
        del chunk  # not kept alive while the worker thread reads the next one
