"""The S3 object streams: a ranged, resumable reader and a multipart writer.

Both run their requests through the backend's runner (``S3Backend._run``), so they get
the same error classification and retry policy as every other call.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO

from remote_store._models import WriteResult
from remote_store._streams import CHUNK_SIZE

from remote_store_s3._errors import classify

if TYPE_CHECKING:
    from remote_store_s3._backend import S3Backend

__all__ = ["PART_SIZE", "AtomicUpload", "MultipartSink", "ObjectReader"]

#: Size of a multipart part (S3's minimum is 5 MiB); it doubles every 1000 parts, so
#: the 10 000-part limit is far away; memory stays bounded by about two parts.
PART_SIZE = 5 * 1024 * 1024


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
                    self._body = backend._open_body(self._key, self._pos, self._etag)
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
        if body is not None:
            self._backend._release(body)

    def close(self) -> None:
        if not self.closed:
            self._drop()
        super().close()


class MultipartSink(io.RawIOBase):
    """A writable stream that uploads parts as they fill and commits on :meth:`commit`.

    Content smaller than one part becomes a single PUT. Nothing is visible until the
    commit; :meth:`abort` removes every uploaded part.
    """

    def __init__(
        self,
        backend: S3Backend,
        key: str,
        *,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
        if_match: str | None = None,
    ) -> None:
        super().__init__()
        self._backend = backend
        self._key = key
        self._overwrite = overwrite
        self._metadata = metadata
        self._if_match = if_match
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._size

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to a closed upload")
        view = memoryview(data).cast("B")
        written = len(view)
        while view:
            room = self._part_size() - self._buffered
            piece = bytes(view[:room])
            view = view[room:]
            self._chunks.append(piece)
            self._buffered += len(piece)
            if self._buffered >= self._part_size():
                self._upload_part(self._take())
        self._size += written
        return written

    def _take(self) -> bytes:
        """The buffered bytes as one ``bytes`` (botocore copies a ``bytearray`` body)."""
        data = b"".join(self._chunks)
        self._chunks, self._buffered = [], 0
        return data

    def _part_size(self) -> int:
        return PART_SIZE << (len(self._parts) // 1000)

    def _upload_part(self, part: bytes) -> None:
        backend, key = self._backend, self._key
        if self._upload_id is None:
            self._upload_id = backend._create_upload(key, self._metadata)
        number = len(self._parts) + 1
        etag = backend._upload_part(key, self._upload_id, number, part)
        self._parts.append({"PartNumber": number, "ETag": etag})

    def commit(self) -> WriteResult:
        """Make the object visible: one PUT, or the last part and CompleteMultipartUpload."""
        backend, key = self._backend, self._key
        try:
            if self._upload_id is None:
                return backend._put(
                    key, self._take(), self._overwrite, self._metadata, self._if_match
                )
            if self._buffered or not self._parts:
                self._upload_part(self._take())
            return backend._complete_upload(
                key, self._upload_id, self._parts, self._size, self._overwrite, self._metadata
            )
        except BaseException:
            self.abort()
            raise
        finally:
            super().close()

    def abort(self) -> None:
        """Drop the parts uploaded so far (best effort); nothing was committed."""
        upload_id, self._upload_id = self._upload_id, None
        self._chunks, self._buffered = [], 0
        if upload_id is not None:
            self._backend._abort_upload(self._key, upload_id)
        super().close()

    def close(self) -> None:
        if not self.closed:
            self.abort()


class AtomicUpload(AbstractContextManager[BinaryIO]):
    """``open_atomic`` for S3: a multipart upload committed on a clean exit, aborted otherwise.

    ``result`` holds the :class:`WriteResult` after the commit.
    """

    def __init__(self, sink: MultipartSink) -> None:
        self._sink = sink
        self.result: WriteResult | None = None

    def __enter__(self) -> BinaryIO:
        return self._sink  # type: ignore[return-value]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.result = self._sink.commit()
        else:
            self._sink.abort()
