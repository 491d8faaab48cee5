"""A seekable read stream over a blob fetched one bounded chunk at a time."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

__all__ = ["BlobReader"]


class BlobReader(io.RawIOBase):
    """Reads ``total`` bytes through ``fetch(offset, size)``, holding one chunk at a time.

    ``first`` is the chunk at offset 0 (fetched with the length, so a small blob costs a
    single query and the stream never goes back to the database).
    """

    def __init__(
        self, fetch: Callable[[int, int], bytes], total: int, first: bytes, chunk_size: int
    ) -> None:
        super().__init__()
        self._fetch = fetch
        self._total = total
        self._chunk_size = chunk_size
        self._buffer = first
        self._buffer_start = 0
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        self._checkClosed()
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._checkClosed()
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = self._total + offset
        else:
            raise ValueError(f"invalid whence: {whence}")
        if target < 0:
            raise ValueError(f"negative seek position {target}")
        self._position = target
        return target

    def readinto(self, buffer: Any) -> int:
        self._checkClosed()
        view = memoryview(buffer).cast("B")
        if self._position >= self._total or not len(view):
            return 0
        start = self._position - self._buffer_start
        if not 0 <= start < len(self._buffer):
            self._buffer = self._fetch(self._position, self._chunk_size)
            self._buffer_start = self._position
            start = 0
            if not self._buffer:
                return 0
        count = min(len(view), len(self._buffer) - start)
        view[:count] = self._buffer[start : start + count]
        self._position += count
        return count

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative); short only at the end."""
        if size is None or size < 0:
            return self.readall()
        parts: list[bytes] = []
        wanted = size
        while wanted > 0:
            piece = bytearray(min(wanted, self._chunk_size))
            count = self.readinto(piece)
            if not count:
                break
            parts.append(bytes(piece[:count]))
            wanted -= count
        return b"".join(parts)

    def readall(self) -> bytes:
        return self.read(max(self._total - self._position, 0))

    def close(self) -> None:
        self._buffer = b""
        super().close()
