"""The write path: one PUT, multipart uploads (aborted on failure) and ``open_atomic``.

Every request runs through the backend's runner (``S3Backend._run``). Nothing is visible
before the PUT or CompleteMultipartUpload succeeds; ``If-None-Match: *`` makes a create
exclusive and ``If-Match`` makes a replacement conditional.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable, Coroutine, Iterator, Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO

from remote_store.backend import CHUNK_SIZE, WritableContent, WriteResult, iter_content
from remote_store.errors import (
    AlreadyExists,
    InvalidPath,
    NotFound,
    PreconditionFailed,
    RemoteStoreError,
)

from remote_store_s3 import _ops
from remote_store_s3._errors import classify
from remote_store_s3._parts import PART_SIZE, Part, PartPool
from remote_store_s3._responses import write_result

if TYPE_CHECKING:
    from concurrent.futures import Future

    from remote_store_s3._backend import S3Backend
    from remote_store_s3._common import S3Options

__all__ = [
    "AtomicUpload",
    "MultipartSink",
    "ancestors",
    "check_still_matches",
    "complete_args",
    "copy_in_parts",
    "copy_ranges",
    "create_args",
    "install",
    "is_completed",
    "is_own_create",
    "open_atomic",
    "part_entry",
    "put_args",
    "write",
]


def write(
    backend: S3Backend,
    key: str,
    content: WritableContent,
    *,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
    if_match: str | None,
) -> WriteResult:
    """Bytes go out in one PUT; a stream through a :class:`MultipartSink`."""
    check_ancestors(backend, key)
    if isinstance(content, (bytes, bytearray, memoryview)):
        body = content if isinstance(content, bytes) else bytes(content)
        return put(backend, key, body, overwrite, metadata, if_match)
    sink = MultipartSink(backend, key, overwrite=overwrite, metadata=metadata, if_match=if_match)
    readinto = readinto_of(content)
    try:
        for chunk in iter_content(content, CHUNK_SIZE):
            sink.write(chunk)
            if sink.sized and readinto is not None:
                # past one chunk: the rest is read straight into the part buffers
                sink.fill_from(readinto)
                break
    except BaseException:
        sink.abort()
        raise
    return sink.commit()


def readinto_of(content: Any) -> Callable[[Any], int | None] | None:
    """The source's own ``readinto`` (``None`` when it only inherits the base's, which
    raises, or has none): parts are then read straight into their buffers."""
    method = getattr(type(content), "readinto", None)
    if method is None or method is io.RawIOBase.readinto:
        return None
    return content.readinto  # type: ignore[no-any-return]


def open_atomic(
    backend: S3Backend, key: str, *, overwrite: bool, metadata: Mapping[str, str] | None
) -> AtomicUpload:
    check_ancestors(backend, key)
    return AtomicUpload(MultipartSink(backend, key, overwrite=overwrite, metadata=metadata))


def put_args(
    backend: S3Options,
    key: str,
    body: bytes | bytearray,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
    if_match: str | None,
) -> dict[str, Any]:
    """PutObject arguments: ``If-Match`` when given, else ``If-None-Match: *`` unless
    ``overwrite``."""
    args = backend._args(key, Body=body, Metadata=dict(metadata or {}))
    if if_match is not None:
        args["IfMatch"] = if_match
    elif not overwrite:
        args["IfNoneMatch"] = "*"
    return args


def is_own_create(head: Mapping[str, Any] | None, body: bytes | bytearray) -> bool:
    """Whether a create refused (412) on a retry met its own first attempt: the stored
    object's ETag is the MD5 of what was sent."""
    import hashlib

    return head is not None and head.get("ETag", "").strip('"') == hashlib.md5(body).hexdigest()


def put(
    backend: S3Backend,
    key: str,
    body: bytes | bytearray,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
    if_match: str | None = None,
) -> WriteResult:
    args = put_args(backend, key, body, overwrite, metadata, if_match)
    attempts = [0]

    def put_object(client: Any) -> Coroutine[Any, Any, dict[str, Any]]:
        attempts[0] += 1
        return client.put_object(**args)  # type: ignore[no-any-return]

    try:
        response = backend._run(key, put_object)
    except PreconditionFailed:
        if if_match is not None:
            raise
        # A retried create may meet its own first attempt: then the stored object is ours.
        head = backend._head(key) if attempts[0] > 1 else None
        if head is None or not is_own_create(head, body):
            raise AlreadyExists("file exists", path=key, backend=backend.name) from None
        response = head
    return write_result(key, len(body), response, metadata)


def create_args(
    backend: S3Options, key: str, metadata: Mapping[str, str] | None, *, checksums: bool = True
) -> dict[str, Any]:
    """CreateMultipartUpload arguments. With ``checksums`` every part carries its CRC32
    (:class:`~remote_store_s3._parts.Part`) and the object gets S3's composite CRC32 of
    them, as boto3's managed transfer does; without it (UploadPartCopy), none."""
    args = backend._args(key, Metadata=dict(metadata or {}))
    if checksums:
        args["ChecksumAlgorithm"] = "CRC32"
    return args


def create_upload(
    backend: S3Backend, key: str, metadata: Mapping[str, str] | None, *, checksums: bool = True
) -> str:
    args = create_args(backend, key, metadata, checksums=checksums)
    return str(backend._run(key, _ops.call("create_multipart_upload", **args))["UploadId"])


def part_entry(part: Part, etag: str) -> dict[str, Any]:
    """A confirmed part as CompleteMultipartUpload lists it."""
    return {"PartNumber": part.number, "ETag": etag, "ChecksumCRC32": part.checksum}


def complete_upload(
    backend: S3Backend,
    key: str,
    upload_id: str,
    parts: list[dict[str, Any]],
    size: int,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
    if_match: str | None = None,
) -> WriteResult:
    """CompleteMultipartUpload (``If-None-Match: *`` unless ``overwrite``, ``If-Match``
    when given), retried.

    A retry whose first attempt landed but lost its response meets ``NoSuchUpload`` (the
    upload is gone once completed) or, for a create, a 412: then the stored object is ours
    when its size and its multipart ETag (computed from the parts' ETags) are this upload's.
    """
    args = complete_args(backend, key, upload_id, parts, overwrite, if_match)
    attempts = [0]

    def complete_multipart_upload(client: Any) -> Coroutine[Any, Any, dict[str, Any]]:
        attempts[0] += 1
        return client.complete_multipart_upload(**args)  # type: ignore[no-any-return]

    try:
        response = backend._run(key, complete_multipart_upload)
    except (PreconditionFailed, NotFound) as exc:
        if if_match is not None and attempts[0] == 1:
            raise  # the version changed (or is gone): the caller's condition failed
        head = backend._head(key) if attempts[0] > 1 else None
        if head is None or not is_completed(head, parts, size):
            if isinstance(exc, PreconditionFailed):
                raise AlreadyExists("file exists", path=key, backend=backend.name) from None
            raise
        response = head
    return write_result(key, size, response, metadata)


def check_still_matches(head: Mapping[str, Any] | None, if_match: str, key: str, name: str) -> None:
    """Before a conditional multipart completion: refuse when the object is no longer the
    version ``if_match`` names. S3 also checks ``If-Match`` on the completion itself
    (atomically); this check is what holds on servers that ignore it there (moto)."""
    current = None if head is None else str(head.get("ETag", "")).strip('"')
    if current != if_match.strip('"'):
        raise PreconditionFailed("the file is not the version given", path=key, backend=name)


def complete_args(
    backend: S3Options,
    key: str,
    upload_id: str,
    parts: list[dict[str, Any]],
    overwrite: bool,
    if_match: str | None = None,
) -> dict[str, Any]:
    """CompleteMultipartUpload arguments, with the same conditions as :func:`put_args`."""
    args = backend._args(key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    if if_match is not None:
        args["IfMatch"] = if_match
    elif not overwrite:
        args["IfNoneMatch"] = "*"
    return args


def copy_ranges(size: int) -> Iterator[tuple[int, str]]:
    """``(part number, "bytes=a-b")`` of an UploadPartCopy of ``size`` bytes (<= 9000 parts)."""
    step = max(PART_SIZE * 64, -(-size // 9000))
    for number, start in enumerate(range(0, size, step), 1):
        yield number, f"bytes={start}-{min(size, start + step) - 1}"


def is_completed(head: Mapping[str, Any], parts: list[dict[str, Any]], size: int) -> bool:
    """Whether the object ``head`` describes is the completion of ``parts`` (``size`` bytes):
    S3's multipart ETag is the MD5 of the parts' binary MD5s, then ``-`` and their count."""
    import hashlib

    try:
        digests = b"".join(bytes.fromhex(str(part["ETag"]).strip('"')) for part in parts)
    except ValueError:
        return False  # part ETags that are not MD5s: nothing to compare
    expected = f"{hashlib.md5(digests).hexdigest()}-{len(parts)}"
    return head.get("ETag", "").strip('"') == expected and head.get("ContentLength") == size


def abort_upload(backend: S3Backend, key: str, upload_id: str) -> None:
    try:
        args = backend._args(key, UploadId=upload_id)
        backend._run(key, _ops.call("abort_multipart_upload", **args))
    except RemoteStoreError:
        pass  # best effort: an orphan upload is invisible and expires by lifecycle rules


def copy_in_parts(
    backend: S3Backend, src: str, dst: str, size: int, metadata: Mapping[str, str] | None
) -> None:
    """UploadPartCopy for objects over CopyObject's 5 GiB limit (at most 9000 parts)."""
    source = {"Bucket": backend._bucket, "Key": src}
    upload_id = create_upload(backend, dst, metadata, checksums=False)
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
            response = backend._run(dst, _ops.call("upload_part_copy", **args))
            parts.append({"PartNumber": number, "ETag": response["CopyPartResult"]["ETag"]})
        complete_upload(backend, dst, upload_id, parts, size, True, None)
    except BaseException:
        abort_upload(backend, dst, upload_id)
        raise


def ancestors(key: str) -> list[str]:
    """``a``, ``a/b`` for ``a/b/c``."""
    parts = key.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def install(client: Any) -> None:
    """Send part bodies without ``Expect: 100-continue`` (idempotent).

    botocore asks for it on any stream body, and aiohttp then waits for the ``100`` with
    no time limit of its own: a server or proxy that ignores the header would stall every
    part. A part went out as ``bytes`` before, without the header; so does a PUT.
    """
    client.meta.events.register(
        "before-sign.s3.UploadPart", _no_expect, unique_id="remote-store-no-expect"
    )


def _no_expect(request: Any, **_: Any) -> None:
    if "Expect" in request.headers:
        del request.headers["Expect"]


def check_ancestors(backend: S3Backend, key: str) -> None:
    """``reject_write_under_file_ancestor``: HEAD every ancestor at once (fails open)."""
    if not backend._reject_under_file or "/" not in key:
        return
    try:
        found = backend._run(key, _ops.any_exists(backend._bucket, ancestors(key)))
    except RemoteStoreError as exc:
        if exc.retryable:
            return
        raise
    if found is not None:
        raise InvalidPath(f"ancestor {found!r} is a file", path=key, backend=backend.name)


class MultipartSink(io.RawIOBase):
    """A writable stream that uploads parts as they fill and commits on :meth:`commit`.

    Parts fill in a :class:`~remote_store_s3._parts.PartPool`: a filled part goes out at
    once, and the next fills in a free buffer; with every buffer uploading, the oldest
    part is waited for. Content smaller than one part becomes a single PUT. Nothing is
    visible until the commit; :meth:`abort` removes every uploaded part.
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
        self._pool = PartPool()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        # parts sent and not yet confirmed, oldest first, with their response futures
        self._pending: deque[tuple[Part, Future[Any]]] = deque()

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pool.size

    @property
    def sized(self) -> bool:
        """Whether the content is past a small body (parts fill part-sized buffers)."""
        return self._pool.sized

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to a closed upload")
        view = memoryview(data).cast("B")
        written = len(view)
        pool = self._pool
        while view:
            if not pool.can_fill():
                self._confirm_oldest()  # its buffer fills next
            view = view[pool.feed(view) :]
            if pool.full:
                self._send()
        return written

    def fill_from(self, readinto: Callable[[Any], int | None]) -> None:
        """Read the rest of a source straight into the part buffers (``readinto``)."""
        pool = self._pool
        while True:
            if not pool.can_fill():
                self._confirm_oldest()
            if not pool.fill_from(readinto):
                return
            if pool.full:
                self._send()

    def _send(self) -> None:
        """Send the filled part without waiting for it.

        The body goes as a stream (the buffer): the connection sends it in small slices
        instead of copying what the socket did not take at once.
        """
        backend, key = self._backend, self._key
        if self._upload_id is None:
            self._upload_id = create_upload(backend, key, self._metadata)
        part = self._pool.take()
        args = backend._args(key, **part.args(self._upload_id))
        client = backend._client or backend._connect()
        self._pending.append((part, backend._submit(client.upload_part(**args))))

    def _confirm_oldest(self) -> None:
        """Wait for the oldest part in flight; a retryable failure is sent again (retried)."""
        part, future = self._pending.popleft()
        backend, key = self._backend, self._key
        try:
            etag = str(future.result()["ETag"])
        except Exception as exc:
            error = classify(exc, key, backend.name)
            policy = backend.retry_policy
            if not error.retryable or policy.max_attempts < 2:
                raise error from exc
            import dataclasses

            retry = dataclasses.replace(policy, max_attempts=policy.max_attempts - 1)
            upload_id = str(self._upload_id)

            def upload(client: Any) -> Coroutine[Any, Any, dict[str, Any]]:
                args = backend._args(key, **part.args(upload_id))  # the body rewound
                return client.upload_part(**args)  # type: ignore[no-any-return]

            etag = str(backend._run(key, upload, policy=retry)["ETag"])
        self._parts.append(part_entry(part, etag))
        self._pool.give_back(part)

    def _drain(self) -> None:
        """Wait for every part in flight (errors ignored): before an abort, so that no part
        lands after the upload was dropped."""
        while self._pending:
            _, future = self._pending.popleft()
            try:
                future.result()
            except Exception:
                pass

    def commit(self) -> WriteResult:
        """Make the object visible: one PUT, or the last part and CompleteMultipartUpload."""
        backend, key = self._backend, self._key
        try:
            if self._upload_id is None:
                body = self._pool.body()
                return put(backend, key, body, self._overwrite, self._metadata, self._if_match)
            if self._pool.filled:
                self._send()
            while self._pending:
                self._confirm_oldest()
            if self._if_match is not None:
                check_still_matches(backend._head(key), self._if_match, key, backend.name)
            return complete_upload(
                backend,
                key,
                self._upload_id,
                self._parts,
                self._pool.size,
                self._overwrite,
                self._metadata,
                self._if_match,
            )
        except BaseException:
            self.abort()
            raise
        finally:
            super().close()

    def abort(self) -> None:
        """Drop the parts uploaded so far (best effort); nothing was committed."""
        upload_id, self._upload_id = self._upload_id, None
        self._pool.clear()
        self._drain()
        if upload_id is not None:
            abort_upload(self._backend, self._key, upload_id)
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
