"""AsyncS3Backend's streams: a resumable GET, one PUT, multipart uploads (aborted on
failure or cancellation), and UploadPartCopy. The request arguments and the rules are
:mod:`._writes`'s, shared with the sync backend; every request runs through
``AsyncS3Backend._run`` (classified, retried when idempotent)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from remote_store.aio.backend import CHUNK_SIZE, AsyncWritableContent, WriteResult, aiter_content
from remote_store.errors import AlreadyExists, InvalidPath, PreconditionFailed, RemoteStoreError

from remote_store_s3 import _ops
from remote_store_s3._errors import classify, http_status
from remote_store_s3._parts import Part, PartPool
from remote_store_s3._responses import write_result
from remote_store_s3._writes import (
    ancestors,
    check_still_matches,
    complete_args,
    copy_ranges,
    create_args,
    is_own_create,
    part_entry,
    put_args,
)

if TYPE_CHECKING:
    from remote_store_s3._async_backend import AsyncS3Backend

__all__ = ["copy_in_parts", "read_from", "write"]


# -- reads ------------------------------------------------------------------------------


async def read_from(backend: AsyncS3Backend, key: str, offset: int) -> AsyncIterator[bytes]:
    """The object from ``offset`` in chunks of at most ``CHUNK_SIZE``, as they arrive.

    A body cut mid-stream is resumed from the current offset with ``If-Match`` on the
    first response's ETag (per the retry policy), so two versions are never mixed.
    """
    position, etag, end, body = offset, None, offset, None
    delays = iter(backend.retry_policy.delays())
    try:
        while True:
            if body is None:
                response = await _open(backend, key, position, etag)
                if response is None:
                    return  # at or past the end
                body, end = response["Body"], position + int(response["ContentLength"])
                etag = etag or response.get("ETag")
            if position >= end:
                return
            try:
                data: bytes = await body.read(min(CHUNK_SIZE, end - position))
                if not data:  # the server ended the body early: resume
                    raise ConnectionResetError("body ended before its length")
            except Exception as exc:
                body.close()
                body = None
                error = classify(exc, key, backend.name)
                delay = next(delays, None) if error.retryable else None
                if delay is None:
                    raise error from exc
                await asyncio.sleep(delay)
                continue
            position += len(data)
            yield data
    finally:
        if body is not None:
            body.close()


async def _open(
    backend: AsyncS3Backend, key: str, position: int, etag: str | None
) -> dict[str, Any] | None:
    """A GET from ``position`` (``None`` past the end); with ``etag``, refused (412) if
    the object is no longer that version."""
    extra: dict[str, Any] = {}
    if position:
        extra["Range"] = f"bytes={position}-"
    if etag:
        extra["IfMatch"] = etag
    args = backend._args(key, **extra)

    async def get_object(client: Any) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            response: dict[str, Any] = await client.get_object(**args)
        except ClientError as exc:
            if position and http_status(exc) == 416:  # Range not satisfiable
                return None
            raise
        return response

    try:
        return await backend._run(key, get_object, idempotent=etag is None)
    except PreconditionFailed as exc:
        if etag is None:
            raise
        raise PreconditionFailed(
            "object changed while reading", path=key, backend=backend.name
        ) from exc


# -- writes -----------------------------------------------------------------------------


async def write(
    backend: AsyncS3Backend,
    key: str,
    content: AsyncWritableContent,
    *,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
    if_match: str | None,
) -> WriteResult:
    """Bytes go out in one PUT; a stream through a :class:`Multipart` upload."""
    await _check_ancestors(backend, key)
    if isinstance(content, (bytes, bytearray, memoryview)):
        return await put(backend, key, bytes(content), overwrite, metadata, if_match)
    upload = Multipart(backend, key, overwrite=overwrite, metadata=metadata, if_match=if_match)
    try:
        async for chunk in aiter_content(content):
            await upload.write(chunk)
        return await upload.commit()
    except BaseException:
        await asyncio.shield(upload.abort())  # also when the task is cancelled
        raise


async def put(
    backend: AsyncS3Backend,
    key: str,
    body: bytes,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
    if_match: str | None = None,
) -> WriteResult:
    args = put_args(backend, key, body, overwrite, metadata, if_match)
    attempts = 0

    async def put_object(client: Any) -> dict[str, Any]:
        nonlocal attempts
        attempts += 1
        response: dict[str, Any] = await client.put_object(**args)
        return response

    try:
        response = await backend._run(key, put_object)
    except PreconditionFailed:
        if if_match is not None:
            raise
        # A retried create may meet its own first attempt: then the stored object is ours.
        head = await backend._head(key) if attempts > 1 else None
        if head is None or not is_own_create(head, body):
            raise AlreadyExists("file exists", path=key, backend=backend.name) from None
        response = head
    return write_result(key, len(body), response, metadata)


async def _check_ancestors(backend: AsyncS3Backend, key: str) -> None:
    """``reject_write_under_file_ancestor``: HEAD every ancestor at once (fails open)."""
    if not backend._reject_under_file or "/" not in key:
        return
    try:
        found = await backend._run(key, _ops.any_exists(backend._bucket, ancestors(key)))
    except RemoteStoreError as exc:
        if exc.retryable:
            return
        raise
    if found is not None:
        raise InvalidPath(f"ancestor {found!r} is a file", path=key, backend=backend.name)


class Multipart:
    """A multipart upload fed chunk by chunk, with the sync sink's part logic
    (:class:`~remote_store_s3._parts.PartPool`): a filled part starts uploading at once
    and the next fills in a free buffer (with every buffer uploading, the oldest part is
    waited for); content under one part becomes a single PUT, nothing is visible before
    :meth:`commit`, and :meth:`abort` drops every part."""

    def __init__(
        self,
        backend: AsyncS3Backend,
        key: str,
        *,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
        if_match: str | None,
    ) -> None:
        self._backend, self._key = backend, key
        self._overwrite, self._metadata, self._if_match = overwrite, metadata, if_match
        self._pool = PartPool()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        # parts uploading, oldest first, each with its task (retried inside per the policy)
        self._pending: deque[tuple[Part, asyncio.Future[Any]]] = deque()

    async def write(self, data: bytes) -> None:
        view = memoryview(data).cast("B")
        pool = self._pool
        while view:
            if not pool.can_fill():
                await self._confirm_oldest()  # its buffer fills next
            view = view[pool.feed(view) :]
            if pool.full:
                await self._send()

    async def _send(self) -> None:
        """Start the filled part's upload, without waiting for it."""
        backend, key = self._backend, self._key
        if self._upload_id is None:
            args = create_args(backend, key, self._metadata)
            response = await backend._run(key, _ops.call("create_multipart_upload", **args))
            self._upload_id = str(response["UploadId"])
        part, upload_id = self._pool.take(), self._upload_id

        async def upload_part(client: Any) -> dict[str, Any]:
            args = backend._args(key, **part.args(upload_id))  # the body rewound
            response: dict[str, Any] = await client.upload_part(**args)
            return response

        self._pending.append((part, asyncio.ensure_future(backend._run(key, upload_part))))

    async def _confirm_oldest(self) -> None:
        part, task = self._pending.popleft()
        self._parts.append(part_entry(part, str((await task)["ETag"])))
        self._pool.give_back(part)

    async def commit(self) -> WriteResult:
        backend, key = self._backend, self._key
        if self._upload_id is None:
            body = self._pool.body()
            return await put(backend, key, body, self._overwrite, self._metadata, self._if_match)
        if self._pool.filled:
            await self._send()
        while self._pending:
            await self._confirm_oldest()
        if self._if_match is not None:
            check_still_matches(await backend._head(key), self._if_match, key, backend.name)
        args = complete_args(
            backend, key, self._upload_id, self._parts, self._overwrite, self._if_match
        )
        try:
            response = await backend._run(key, _ops.call("complete_multipart_upload", **args))
        except PreconditionFailed:
            if self._if_match is not None:
                raise
            raise AlreadyExists("file exists", path=key, backend=backend.name) from None
        self._upload_id = None  # committed: nothing left to abort
        return write_result(key, self._pool.size, response, self._metadata)

    async def abort(self) -> None:
        """Wait for the parts in flight (so none lands after), then drop the upload."""
        upload_id, self._upload_id = self._upload_id, None
        self._pool.clear()
        tasks = [task for _, task in self._pending]
        self._pending.clear()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if upload_id is not None:
            await _abort_upload(self._backend, self._key, upload_id)


async def _abort_upload(backend: AsyncS3Backend, key: str, upload_id: str) -> None:
    try:
        args = backend._args(key, UploadId=upload_id)
        await backend._run(key, _ops.call("abort_multipart_upload", **args))
    except RemoteStoreError:
        pass  # best effort: an orphan upload is invisible and expires by lifecycle rules


async def copy_in_parts(
    backend: AsyncS3Backend, src: str, dst: str, size: int, metadata: Mapping[str, str] | None
) -> None:
    """UploadPartCopy for objects over CopyObject's 5 GiB limit (at most 9000 parts)."""
    source = {"Bucket": backend._bucket, "Key": src}
    args = create_args(backend, dst, metadata, checksums=False)
    response = await backend._run(dst, _ops.call("create_multipart_upload", **args))
    upload_id = str(response["UploadId"])
    parts = []
    try:
        for number, source_range in copy_ranges(size):
            args = backend._args(
                dst,
                UploadId=upload_id,
                PartNumber=number,
                CopySource=source,
                CopySourceRange=source_range,
            )
            response = await backend._run(dst, _ops.call("upload_part_copy", **args))
            parts.append({"PartNumber": number, "ETag": response["CopyPartResult"]["ETag"]})
        args = complete_args(backend, dst, upload_id, parts, True)
        await backend._run(dst, _ops.call("complete_multipart_upload", **args))
    except BaseException:
        await asyncio.shield(_abort_upload(backend, dst, upload_id))
        raise
