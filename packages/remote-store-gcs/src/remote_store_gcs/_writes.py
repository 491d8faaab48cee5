"""Writes: bytes and small streams in one multipart POST, larger streams through a
resumable session, and ``open_atomic``.

``overwrite=False`` sends ``ifGenerationMatch=0`` (the service refuses an existing
object: create-exclusive), a conditional replace sends the expected generation; a 412 is
reported as :class:`AlreadyExists` or :class:`PreconditionFailed` respectively.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO

from remote_store.backend import (
    CHUNK_SIZE,
    AlreadyExists,
    WritableContent,
    WriteResult,
    call_with_retry,
    condition_failures,
    iter_content,
)
from remote_store.errors import PreconditionFailed

from remote_store_gcs._responses import write_result
from remote_store_gcs._uploads import ResumableUpload, multipart_upload

if TYPE_CHECKING:
    from remote_store_gcs._backend import GCSBackend

__all__ = ["AtomicUpload", "UploadSink", "write", "write_conditional"]


def write(
    backend: GCSBackend,
    key: str,
    content: WritableContent,
    *,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
    if_generation_match: int | None = None,
) -> WriteResult:
    """Bytes go out in one request; a stream through an :class:`UploadSink`."""
    sink = UploadSink(
        backend,
        key,
        overwrite=overwrite,
        metadata=metadata,
        if_generation_match=if_generation_match,
    )
    if isinstance(content, (bytes, bytearray, memoryview)):
        return sink.upload_bytes(bytes(content))
    try:
        for chunk in iter_content(content, CHUNK_SIZE):
            sink.write(chunk)
    except BaseException:
        sink.abort()
        raise
    return sink.commit()


def write_conditional(
    backend: GCSBackend,
    key: str,
    content: WritableContent,
    *,
    if_match: str | None,
    if_none_match: str | None,
    metadata: Mapping[str, str] | None,
) -> WriteResult:
    """``if_none_match="*"`` uploads with ``ifGenerationMatch=0``. ``if_match=etag`` reads
    the object's metadata (etag and generation), refuses another etag, then uploads with
    ``ifGenerationMatch`` on that generation: a change in between fails too, so compare
    and swap are one step on the service. Every failed condition is PreconditionFailed."""
    with condition_failures(backend, key):
        if if_none_match is not None:
            return write(backend, key, content, overwrite=False, metadata=metadata)
        current = backend._stat(key)
        if current is None or current.get("etag") != if_match or "generation" not in current:
            raise PreconditionFailed("etag does not match", path=key, backend=backend.name)
        generation = int(current["generation"])
        return write(
            backend, key, content, overwrite=True, metadata=metadata, if_generation_match=generation
        )


class UploadSink(io.RawIOBase):
    """A writable stream: held in memory up to one chunk (then one multipart POST on
    :meth:`commit`), beyond that a resumable upload whose chunks go out as they fill."""

    def __init__(
        self,
        backend: GCSBackend,
        key: str,
        *,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
        if_generation_match: int | None = None,
    ) -> None:
        super().__init__()
        self._backend = backend
        self._key = key
        self._metadata = metadata
        self._conditional = if_generation_match is not None
        self._precondition = (
            if_generation_match if self._conditional else (None if overwrite else 0)
        )
        self._head = bytearray()
        self._upload: ResumableUpload | None = None
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._size += len(view)
        if self._upload is not None:
            self._upload.write(view)
        else:
            self._head += view
            if len(self._head) > self._backend._chunk_size:
                self._start_resumable()
        return len(view)

    def _start_resumable(self) -> None:
        # fail before sending gigabytes; the precondition still decides at the commit
        if self._precondition == 0 and self._backend._stat(self._key) is not None:
            raise AlreadyExists("file exists", path=self._key, backend=self._backend.name)
        if self._precondition:
            found = self._backend._stat(self._key)
            if found is None or str(found.get("generation")) != str(self._precondition):
                raise self._refused()
        self._upload = ResumableUpload(
            self._backend,
            self._key,
            precondition=self._precondition,
            metadata=self._metadata,
            chunk_size=self._backend._chunk_size,
        )
        head, self._head = self._head, bytearray()
        self._upload.write(head)

    def commit(self) -> WriteResult:
        """Finish the upload: the object appears whole, or not at all."""
        if self._upload is None:
            head, self._head = self._head, bytearray()
            return self.upload_bytes(bytes(head))
        try:
            resource = self._upload.finish()
        except PreconditionFailed:
            raise self._refused() from None
        finally:
            self.close()
        return write_result(self._key, self._size, resource, self._metadata)

    def abort(self) -> None:
        """Drop what was written; nothing becomes visible."""
        self._head = bytearray()
        if self._upload is not None:
            self._upload.abort()
        self.close()

    def upload_bytes(self, data: bytes) -> WriteResult:
        """One multipart POST, retried per the policy; a retried create that meets its
        own first attempt (same MD5) counts as done."""
        attempts = [0]
        backend = self._backend

        def attempt() -> dict[str, Any]:
            attempts[0] += 1
            return multipart_upload(
                backend, self._key, data, precondition=self._precondition, metadata=self._metadata
            )

        try:
            resource = call_with_retry(backend.retry_policy, attempt, sleep=backend._sleep)
        except PreconditionFailed:
            own = self._own_object(data) if attempts[0] > 1 else None
            if own is None:
                raise self._refused() from None
            resource = own
        return write_result(self._key, len(data), resource, self._metadata)

    def _own_object(self, data: bytes) -> dict[str, Any] | None:
        if self._conditional:
            return None
        resource = self._backend._stat(self._key)
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        return resource if resource is not None and resource.get("md5Hash") == md5 else None

    def _refused(self) -> Exception:
        if self._conditional:
            return PreconditionFailed(
                "the object is not at the expected generation", path=self._key, backend="gcs"
            )
        return AlreadyExists("file exists", path=self._key, backend="gcs")


class AtomicUpload(AbstractContextManager[BinaryIO]):
    """``open_atomic``: an :class:`UploadSink`, committed on a clean exit, else dropped."""

    def __init__(self, sink: UploadSink) -> None:
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
