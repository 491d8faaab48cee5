"""The Python streams pyarrow reads and writes through, and their clean-up at exit.

Every stream opened for pyarrow is registered in a weak set. An ``atexit`` hook closes the
readers and *aborts* the writers still open when the interpreter exits, so that no stream
holds a backend connection, a spool or an atomic-write handle while Python finalises (a
never-closed output stream is never committed). Nothing here starts a thread.
"""

from __future__ import annotations

import atexit
import io
import tempfile
import threading
import weakref
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import IO, Any, BinaryIO

from remote_store import Capability, Store
from remote_store.errors import RemoteStoreError

from remote_store_arrow._errors import as_os_error
from remote_store_arrow._exit import close_gate, entering, wait_until_quiet

__all__ = ["StoreReader", "StoreWriter", "close_open_streams", "open_stream_count"]

_OPEN: weakref.WeakSet[_Tracked] = weakref.WeakSet()
_OPEN_LOCK = threading.Lock()


class _Tracked(io.RawIOBase):
    """A raw stream registered for the exit clean-up while it is open."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        with _OPEN_LOCK:
            _OPEN.add(self)

    def _untrack(self) -> None:
        with _OPEN_LOCK:
            _OPEN.discard(self)

    def _guard(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with entering():
            try:
                return call(*args, **kwargs)
            except RemoteStoreError as exc:
                raise as_os_error(exc, self.path, folder=False) from exc

    def abandon(self) -> None:
        """Release the stream without committing anything (used at interpreter exit)."""
        self.close()


class StoreReader(_Tracked):
    """A store read stream with errors as ``OSError``s, for ``pyarrow.PythonFile``."""

    def __init__(self, inner: BinaryIO, path: str) -> None:
        super().__init__(path)
        self._inner = inner

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self._guard(self._inner.seekable))

    def read(self, size: int | None = -1) -> bytes:
        data = self._guard(self._inner.read, -1 if size is None else size)
        return bytes(data or b"")

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return int(self._guard(self._inner.seek, offset, whence))

    def tell(self) -> int:
        return int(self._guard(self._inner.tell))

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._guard(self._inner.close)
        finally:
            self._untrack()
            super().close()


class StoreWriter(_Tracked):
    """A write stream that lands in the store as one whole file when closed.

    On a store with atomic writes the bytes stream straight into ``store.open_atomic``
    (the backend bounds its own buffering: a multipart upload, a temporary file, a spool);
    otherwise they go to a spool kept in memory up to ``spill_threshold`` bytes and then on
    disk, written with ``store.write`` on close. Either way nothing appears at ``path``
    before ``close()``, and a writer abandoned at interpreter exit writes nothing.
    """

    def __init__(
        self,
        store: Store,
        path: str,
        *,
        spill_threshold: int,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self._store = store
        self._metadata = dict(metadata) if metadata else None
        self._written = 0
        self._spool: IO[bytes] | None = None
        self._context: AbstractContextManager[BinaryIO] | None = None
        self._sink: IO[bytes] | BinaryIO
        if store.supports(Capability.ATOMIC_WRITE):
            context = store.open_atomic(path, overwrite=True, metadata=self._metadata)
            try:
                self._sink = context.__enter__()
            except RemoteStoreError as exc:
                raise as_os_error(exc, path, folder=False) from exc
            self._context = context
        else:
            self._spool = tempfile.SpooledTemporaryFile(max_size=spill_threshold)  # noqa: SIM115
            self._sink = self._spool
        super().__init__(path)

    @property
    def bytes_written(self) -> int:
        """Bytes accepted so far."""
        return self._written

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to a closed stream")
        count = len(memoryview(data).cast("B"))
        self._guard(self._sink.write, data)
        self._written += count
        return count

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        """Nothing to flush: the data becomes visible as a whole on close."""

    def close(self) -> None:
        """Commit the file (the atomic write, or the spooled upload)."""
        if self.closed:
            return
        try:
            if self._context is not None:
                self._guard(self._context.__exit__, None, None, None)
            else:
                assert self._spool is not None
                self._spool.seek(0)
                self._guard(
                    self._store.write,
                    self.path,
                    self._spool,
                    overwrite=True,
                    metadata=self._metadata,
                )
        finally:
            self._release()

    def abandon(self) -> None:
        """Drop everything written; the target keeps its previous content."""
        if self.closed:
            return
        try:
            if self._context is not None:
                error = RuntimeError("output stream abandoned before close")
                self._context.__exit__(RuntimeError, error, None)
        except Exception:  # best effort at exit: nothing was committed
            pass
        finally:
            self._release()

    def __del__(self) -> None:
        # io.IOBase.__del__ would close(), i.e. commit, a writer that was dropped unclosed.
        try:
            self.abandon()
        except Exception:  # a half-built writer has nothing to release
            pass

    def _release(self) -> None:
        if self._spool is not None:
            self._spool.close()
        self._untrack()
        io.RawIOBase.close(self)


def open_stream_count() -> int:
    """How many streams opened for pyarrow are still open (for tests and diagnostics)."""
    with _OPEN_LOCK:
        return len(_OPEN)


def close_open_streams() -> None:
    """Close every open reader and abandon every open writer (registered with ``atexit``)."""
    with _OPEN_LOCK:
        leftovers = list(_OPEN)
    for stream in leftovers:
        try:
            stream.abandon()
        except Exception:  # at exit, one failing stream must not block the rest
            pass


def _at_exit() -> None:
    """Close the gate to arrow's threads, release every stream, let arrow wind down."""
    close_gate()
    close_open_streams()
    wait_until_quiet()


atexit.register(_at_exit)
