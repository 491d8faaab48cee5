"""File objects of the bridge: a buffered ranged reader, an atomic writer."""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from typing import IO, Any, BinaryIO

from remote_store.errors import RemoteStoreError

from remote_store_fsspec._errors import as_builtin

__all__ = ["AtomicWriter", "RangedReader"]


class RangedReader(io.RawIOBase):
    """A seekable stream from ``Store.read_seekable`` as a raw file (typed errors mapped);
    the bridge wraps it in a ``BufferedReader`` of the filesystem's block size."""

    def __init__(self, stream: BinaryIO, path: str) -> None:
        self._stream = stream
        self.path = path

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._stream.read(len(view))
        except RemoteStoreError as error:
            raise as_builtin(error, self.path) from error
        view[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def close(self) -> None:
        if not self.closed:
            try:
                self._stream.close()
            finally:
                super().close()


class AtomicWriter(io.RawIOBase):
    """Writes through ``Store.open_atomic``: nothing is visible until :meth:`close`.

    Leaving a ``with`` block by an exception, :meth:`discard`, or losing the object
    without closing it abandons the write: the target keeps its old content (or stays
    missing).
    """

    def __init__(self, context: AbstractContextManager[IO[bytes]], path: str) -> None:
        self._context = context
        self.path = path
        try:
            self._stream = context.__enter__()
        except RemoteStoreError as error:
            raise as_builtin(error, path) from error
        self._done = False
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._done:
            raise ValueError("write to a closed file")
        try:
            written = self._stream.write(data)
        except RemoteStoreError as error:
            raise as_builtin(error, self.path) from error
        count = len(memoryview(data)) if written is None else written
        self.size += count
        return count

    def tell(self) -> int:
        return self.size

    def close(self) -> None:
        """Publish the file (once)."""
        if not self._done:
            self._done = True
            try:
                self._context.__exit__(None, None, None)
            except RemoteStoreError as error:
                raise as_builtin(error, self.path) from error
            finally:
                super().close()

    def commit(self) -> None:
        """Alias of :meth:`close` (fsspec's transaction API)."""
        self.close()

    def discard(self) -> None:
        """Abandon the write: nothing becomes visible."""
        if not self._done:
            self._done = True
            try:
                error = OSError("write discarded")
                self._context.__exit__(OSError, error, None)
            finally:
                super().close()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def __del__(self) -> None:
        # an object lost without close() was never finished: never publish it
        try:
            self.discard()
        except Exception:
            pass
