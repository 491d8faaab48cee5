"""The streams of the SFTP backend: a lazy reader and ``open_atomic``'s writer.

Both streams hold a pooled connection until they are closed and give it back, marked broken
when it failed at transport level.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO

import paramiko
from remote_store.backend import WriteResult
from remote_store.errors import InvalidPath, RemoteStoreError

from remote_store_sftp import _client
from remote_store_sftp._client import SFTPStatusError, StatusClient, is_dir
from remote_store_sftp._errors import explain
from remote_store_sftp._publish import temp_name

if TYPE_CHECKING:
    from remote_store_sftp._backend import SFTPBackend

__all__ = ["AtomicUpload", "Reader", "open_file"]


def open_file(sftp: StatusClient, native: str, key: str) -> tuple[paramiko.SFTPFile, int]:
    """Open the file ``native`` to read it: its handle and its size."""
    try:
        handle = sftp.open(native, "rb")
        attrs = handle.stat()
        if is_dir(attrs):
            handle.close()
            raise InvalidPath("is a folder", path=key, backend="sftp")
    except SFTPStatusError as exc:
        if exc.code == _client.SFTP_FAILURE:
            error = explain(sftp, native, key, exc)  # OpenSSH: EISDIR
            if isinstance(error, InvalidPath):
                raise error from None
        raise
    return handle, attrs.st_size or 0


class Reader(io.RawIOBase):
    """A lazy read stream that holds a pooled connection until it is closed."""

    def __init__(
        self, handle: paramiko.SFTPFile, size: int, release: Callable[[BaseException | None], None]
    ) -> None:
        super().__init__()
        self._handle, self._size, self._release = handle, size, release
        self._failed: BaseException | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            position = self._handle.tell()
            want = min(len(view), self._size - position)
            if want >= 4 * paramiko.SFTPFile.MAX_REQUEST_SIZE:
                data = b"".join(self._handle.readv([(position, want)]))
            else:
                data = self._handle.read(len(view))
        except BaseException as exc:
            self._failed = exc
            raise
        view[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._handle.seek(offset, whence)
        return int(self._handle.tell())

    def tell(self) -> int:
        return int(self._handle.tell())

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._failed is None:
                self._handle.close()
        except Exception as exc:
            self._failed = exc
        finally:
            super().close()
            self._release(self._failed)


class _Writer(io.RawIOBase):
    """The writable stream of ``open_atomic``: native errors surface as typed ones."""

    def __init__(
        self, handle: paramiko.SFTPFile, map_error: Callable[[Exception], RemoteStoreError]
    ) -> None:
        super().__init__()
        self._handle, self._map_error = handle, map_error

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        try:
            self._handle.write(bytes(data))
        except Exception as exc:
            raise self._map_error(exc) from exc
        return len(data)

    def tell(self) -> int:
        return int(self._handle.tell())


class AtomicUpload:
    """``open_atomic``: a temporary file on a leased connection, published on a clean exit."""

    def __init__(self, backend: SFTPBackend, key: str, overwrite: bool) -> None:
        self._backend, self._key, self._overwrite = backend, key, overwrite
        self.result: WriteResult | None = None

    def __enter__(self) -> BinaryIO:
        backend = self._backend
        self._conn = backend._pool.acquire()
        sftp = self._conn.sftp
        try:
            backend._publisher.make_parents(sftp, self._key)
            self._temp = temp_name(backend._abs(self._key))
            self._handle = sftp.open(self._temp, "wxb")
            self._handle.set_pipelined(True)
        except Exception as exc:
            backend._pool.release(self._conn, exc)
            raise
        return _Writer(self._handle, lambda exc: backend.map_error(exc, self._key))  # type: ignore[return-value]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        backend, sftp = self._backend, self._conn.sftp
        failure: BaseException | None = exc
        try:
            size = self._handle.tell()
            self._handle.close()
            if exc_type is None:
                backend._publisher.publish(sftp, self._temp, self._key, self._overwrite)
                self.result = WriteResult(path=self._key, size=size, source="basic")
        except BaseException as error:
            failure = error
            raise
        finally:
            if failure is not None:
                backend._publisher.discard(sftp, self._temp)
            backend._pool.release(self._conn, failure)
