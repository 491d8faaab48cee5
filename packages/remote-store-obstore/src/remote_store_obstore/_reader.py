"""The sync read stream: one GET streamed as it is read, re-opened with a Range on a seek."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["STREAM_CHUNK", "ObjectReader"]

#: The smallest chunk obstore hands over from a GET body (the last one may be smaller).
STREAM_CHUNK = 1024 * 1024


class ObjectReader(io.RawIOBase):
    """A seekable raw stream over an object of ``size`` bytes.

    ``open_from(offset)`` starts a GET of the bytes from ``offset`` on (the backend pins
    it to the first response's ETag, so a replaced object fails instead of mixing
    versions) and returns its chunks; ``translate`` types an error raised mid-body.
    Memory holds one chunk at most beyond what the caller asked for.
    """

    def __init__(
        self,
        chunks: Iterator[bytes] | None,
        size: int,
        open_from: Callable[[int], Iterator[bytes]],
        translate: Callable[[BaseException], Exception],
    ) -> None:
        super().__init__()
        self._chunks = chunks
        self._size = size
        self._open_from = open_from
        self._translate = translate
        self._pending = memoryview(b"")
        self._position = 0

    @property
    def size(self) -> int:
        """The object's size in bytes."""
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = self._size + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if target < 0:
            raise ValueError("negative seek position")
        if target != self._position:
            skip = target - self._position
            if 0 < skip <= len(self._pending):
                self._pending = self._pending[skip:]
            else:
                self._chunks, self._pending = None, memoryview(b"")
            self._position = target
        return target

    def _fill(self) -> bool:
        """Load the next chunk into ``_pending``; ``False`` at the end of the object."""
        if self._position >= self._size:
            return False
        try:
            if self._chunks is None:
                self._chunks = self._open_from(self._position)
            chunk = next(self._chunks)
        except StopIteration:
            self._chunks = iter(())
            return False
        except Exception as exc:
            self._chunks = None
            raise self._translate(exc) from None
        self._pending = memoryview(chunk)
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending:
            if not self._fill():
                return 0
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self._position += count
        return count

    def readall(self) -> bytes:
        parts = [bytes(self._pending)]
        self._position += len(self._pending)
        self._pending = memoryview(b"")
        while self._fill():
            parts.append(bytes(self._pending))
            self._position += len(self._pending)
            self._pending = memoryview(b"")
        return b"".join(parts)

    def close(self) -> None:
        self._chunks = None
        self._pending = memoryview(b"")
        super().close()
