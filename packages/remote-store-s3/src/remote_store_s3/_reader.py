"""The S3 read stream: ranged, resumable, pinned to one object version.

Its GETs run through the backend's runner (``S3Backend._run``), so they get the same
error classification as every other call; a cut body is resumed per the retry policy.
"""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any

from remote_store.backend import CHUNK_SIZE
from remote_store.errors import PreconditionFailed

from remote_store_s3 import _ops
from remote_store_s3._errors import classify

if TYPE_CHECKING:
    from remote_store_s3._backend import S3Backend

__all__ = ["ObjectReader"]


class ObjectReader(io.RawIOBase):
    """A seekable read stream over one object version.

    Reads stream one GET (``Range: bytes=pos-`` after a seek); a connection cut
    mid-body is resumed from the current offset with ``If-Match`` on the ETag, so a
    resumed read never mixes two versions of the object.
    """

    def __init__(
        self, backend: S3Backend, key: str, *, size: int, etag: str | None, body: Any = None
    ) -> None:
        super().__init__()
        self._backend = backend
        self._key = key
        self._size = size
        self._etag = etag
        self._body = body
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        target = base + offset
        if target < 0:
            raise ValueError("negative seek position")
        if target != self._pos:
            self._drop()
            self._pos = target
        return target

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._fetch(min(len(view), self._size - self._pos))
        view[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes; fewer only at the end of the object."""
        if size is None or size < 0:
            return self.readall()
        parts, want = [], min(size, self._size - self._pos)
        while want > 0 and (chunk := self._fetch(want)):
            parts.append(chunk)
            want -= len(chunk)
        return b"".join(parts)

    def readall(self) -> bytes:
        parts = []
        while chunk := self._fetch(min(CHUNK_SIZE, self._size - self._pos)):
            parts.append(chunk)
        return b"".join(parts)

    def _fetch(self, want: int) -> bytes:
        if want <= 0:
            return b""
        backend = self._backend
        delays = iter(backend.retry_policy.delays())
        while True:
            try:
                if self._body is None:
                    self._body = _open_body(backend, self._key, self._pos, self._etag)
                data: bytes = backend._sync(self._body.read(want))
                if not data:  # the server ended the body early: resume
                    raise ConnectionResetError("body ended before its length")
            except Exception as exc:
                self._drop()
                error = classify(exc, self._key, backend.name)
                delay = next(delays, None) if error.retryable else None
                if delay is None:
                    raise error from exc
                time.sleep(delay)
                continue
            self._pos += len(data)
            return data

    def _drop(self) -> None:
        body, self._body = self._body, None
        fs = self._backend._fs
        if body is not None and fs is not None:
            fs.loop.call_soon_threadsafe(body.close)

    def close(self) -> None:
        if not self.closed:
            self._drop()
        super().close()


def _open_body(backend: S3Backend, key: str, position: int, etag: str | None) -> Any:
    """A GET from ``position``, refused (412) if the object is no longer version ``etag``."""
    extra: dict[str, Any] = {}
    if position:
        extra["Range"] = f"bytes={position}-"
    if etag:
        extra["IfMatch"] = etag
    try:
        return backend._run(
            key, _ops.call("get_object", **backend._args(key, **extra)), idempotent=False
        )["Body"]
    except PreconditionFailed as exc:
        raise PreconditionFailed(
            "object changed while reading", path=key, backend=backend.name
        ) from exc
