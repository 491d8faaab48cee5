"""Pass-through stream wrappers: progress callbacks and rolling checksums.

The wrappers never buffer: every ``read``/``write`` goes straight to the wrapped stream
and only the bytes that actually passed are counted or hashed. Progress callbacks get
the byte count of each call (not a running total) and are not called for empty I/O.
Adapters for tqdm and rich progress bars live in :mod:`remote_store.ext.progress_bars`
and are re-exported here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, BinaryIO

from remote_store._store import Store
from remote_store.errors import InvalidArgument
from remote_store.ext._hashing import hexdigest_of, new_hash
from remote_store.ext.progress_bars import rich_progress, tqdm_progress

__all__ = [
    "ChecksumReader",
    "ChecksumWriter",
    "ProgressCallback",
    "ProgressReader",
    "ProgressWriter",
    "read_with_progress",
    "rich_progress",
    "tqdm_progress",
]

#: Called with the number of bytes moved by one read or write call.
ProgressCallback = Callable[[int], object]


class _Wrapper(io.RawIOBase):
    """Forwards to ``inner``; subclasses observe the bytes with :meth:`_seen`."""

    #: Whether closing the wrapper closes the wrapped stream.
    _closes_inner = True

    def __init__(self, inner: IO[bytes] | BinaryIO) -> None:
        super().__init__()
        if not callable(getattr(inner, "read", None)) and not callable(
            getattr(inner, "write", None)
        ):
            raise InvalidArgument(f"not a binary stream: {type(inner).__name__}")
        self._inner = inner

    @property
    def inner(self) -> IO[bytes] | BinaryIO:
        """The wrapped stream."""
        return self._inner

    def _seen(self, data: bytes | memoryview) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    # reading
    def readable(self) -> bool:
        return callable(getattr(self._inner, "read", None))

    def read(self, size: int | None = -1) -> bytes:
        data = self._inner.read(-1 if size is None else size)
        if data:
            self._seen(data)
        return bytes(data) if data is not None else b""

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        readinto = getattr(self._inner, "readinto", None)
        if readinto is not None:
            count = int(readinto(view) or 0)
        else:
            data = self._inner.read(len(view))
            count = len(data)
            view[:count] = data
        if count:
            self._seen(view[:count])
        return count

    def readline(self, size: int | None = -1) -> bytes:
        data = self._inner.readline(-1 if size is None else size)
        if data:
            self._seen(data)
        return bytes(data)

    # writing
    def writable(self) -> bool:
        return callable(getattr(self._inner, "write", None))

    def write(self, data: Any) -> int:
        written = self._inner.write(data)
        count = len(memoryview(data).cast("B")) if written is None else int(written)
        if count:
            self._seen(memoryview(data).cast("B")[:count])
        return count

    def flush(self) -> None:
        flush = getattr(self._inner, "flush", None)
        if flush is not None and not getattr(self._inner, "closed", False):
            flush()

    # positioning and lifecycle
    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return int(self._inner.tell())

    def close(self) -> None:
        if not self.closed:
            try:
                if self._closes_inner:
                    self._inner.close()
                else:
                    self.flush()
            finally:
                super().close()


class ProgressReader(_Wrapper):
    """A readable stream calling ``callback(n)`` after each read that returned ``n`` bytes."""

    def __init__(self, inner: IO[bytes] | BinaryIO, callback: ProgressCallback) -> None:
        if not callable(callback):
            raise InvalidArgument("callback must be callable")
        super().__init__(inner)
        self._callback = callback
        #: Bytes read so far.
        self.bytes_read = 0

    def _seen(self, data: bytes | memoryview) -> None:
        self.bytes_read += len(data)
        self._callback(len(data))


class ProgressWriter(_Wrapper):
    """A writable stream calling ``callback(n)`` after each write of ``n`` bytes."""

    def __init__(self, inner: IO[bytes] | BinaryIO, callback: ProgressCallback) -> None:
        if not callable(callback):
            raise InvalidArgument("callback must be callable")
        super().__init__(inner)
        self._callback = callback
        #: Bytes written so far.
        self.bytes_written = 0

    def _seen(self, data: bytes | memoryview) -> None:
        self.bytes_written += len(data)
        self._callback(len(data))


class _Checksum(_Wrapper):
    def __init__(self, inner: IO[bytes] | BinaryIO, algorithm: str = "sha256") -> None:
        self._hash = new_hash(algorithm)
        super().__init__(inner)
        #: Bytes hashed so far.
        self.size = 0

    @property
    def algorithm(self) -> str:
        """The ``hashlib`` name of the algorithm, for example ``"sha256"``."""
        return str(self._hash.name)

    def _seen(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        self._hash.update(data)

    def hexdigest(self) -> str:
        """Hex digest of the bytes that passed so far."""
        return hexdigest_of(self._hash)


class ChecksumReader(_Checksum):
    """A readable stream hashing what is read through it."""


class ChecksumWriter(_Checksum):
    """A writable stream hashing what is written through it."""


def read_with_progress(store: Store, path: str, callback: ProgressCallback) -> ProgressReader:
    """Open ``path`` for reading with a progress callback; the caller closes the stream."""
    if not callable(callback):
        raise InvalidArgument("callback must be callable")
    return ProgressReader(store.read(path), callback)
