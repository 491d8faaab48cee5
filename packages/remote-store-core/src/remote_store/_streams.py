"""Helpers for content and streams shared by the Store and the backends."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO, TypeAlias

from remote_store.errors import InvalidArgument, RemoteStoreError

__all__ = [
    "CHUNK_SIZE",
    "SPOOL_MAX_MEMORY",
    "MappedReader",
    "WritableContent",
    "copy_stream",
    "iter_content",
    "spool",
]

#: Size of the chunks streamed between sources and sinks.
CHUNK_SIZE = 1024 * 1024
#: Bytes a spool keeps in memory before it moves to a temporary file.
SPOOL_MAX_MEMORY = 8 * 1024 * 1024

WritableContent: TypeAlias = bytes | bytearray | memoryview | BinaryIO | IO[bytes]


def iter_content(content: WritableContent, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield ``content`` in chunks; a stream is read from its current position."""
    if isinstance(content, bytes):
        if content:
            yield content
        return
    if isinstance(content, (bytearray, memoryview)):
        if len(content):
            yield bytes(content)
        return
    read = getattr(content, "read", None)
    if read is None:
        raise InvalidArgument(
            f"content must be bytes or a readable binary stream, not {type(content).__name__}"
        )
    while True:
        chunk = read(chunk_size)
        if not chunk:
            return
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise InvalidArgument("content stream must yield bytes (open it in binary mode)")
        yield bytes(chunk)
        # drop the chunk before the next read: one chunk alive, not two, when the caller
        # drops its reference too (copy_stream does)
        del chunk


def copy_stream(
    source: WritableContent, sink: IO[bytes] | BinaryIO, chunk_size: int = CHUNK_SIZE
) -> int:
    """Copy ``source`` into ``sink`` chunk by chunk; return the byte count.

    At most one chunk is held at a time: a copy's memory is one ``chunk_size``.
    """
    total = 0
    for chunk in iter_content(source, chunk_size):
        sink.write(chunk)
        total += len(chunk)
        del chunk  # so that only one chunk is alive while the next one is read
    return total


def spool(source: WritableContent) -> IO[bytes]:
    """Copy ``source`` into a rewound spool: memory up to 8 MiB, then a temporary file."""
    import tempfile  # deferred: not needed by a plain ``import remote_store``

    target: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY)  # noqa: SIM115
    try:
        copy_stream(source, target)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return target


class MappedReader(io.RawIOBase):
    """A read stream whose native errors surface as typed ``RemoteStoreError``s."""

    def __init__(
        self, inner: IO[bytes] | BinaryIO, map_error: Callable[[BaseException], RemoteStoreError]
    ) -> None:
        super().__init__()
        self._inner = inner
        self._map_error = map_error

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except RemoteStoreError:
            raise
        except Exception as exc:
            raise self._map_error(exc) from exc

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self._call(self._inner.seekable))

    def read(self, size: int | None = -1) -> bytes:
        data = self._call(self._inner.read, -1 if size is None else size)
        return bytes(data) if data is not None else b""

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        readinto = getattr(self._inner, "readinto", None)
        if readinto is not None:
            count = self._call(readinto, view)
            return int(count or 0)
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        return bytes(self._call(self._inner.readline, -1 if size is None else size))

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return int(self._call(self._inner.seek, offset, whence))

    def tell(self) -> int:
        return int(self._call(self._inner.tell))

    def close(self) -> None:
        if not self.closed:
            try:
                self._call(self._inner.close)
            finally:
                super().close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
