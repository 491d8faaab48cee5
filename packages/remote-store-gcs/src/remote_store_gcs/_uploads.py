"""The two upload protocols of the JSON API: multipart (one request) and resumable.

A precondition (``ifGenerationMatch``: ``0`` for create-only, a generation for a
conditional replace) is checked by the service when the object is committed, so nothing
is replaced that the caller did not mean to replace, and nothing is visible before the
last request of an upload succeeds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from remote_store.backend import BackendUnavailable, RemoteStoreError

if TYPE_CHECKING:
    from remote_store_gcs._backend import GCSBackend

__all__ = ["ResumableUpload", "multipart_upload"]

#: Resumable chunks must be multiples of 256 KiB (except the last one).
CHUNK_QUANTUM = 256 * 1024


def _resource(key: str, metadata: Mapping[str, str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": key, "contentType": "application/octet-stream"}
    if metadata:
        body["metadata"] = dict(metadata)
    return body


def _params(uploadType: str, precondition: int | None) -> dict[str, str]:
    params = {"uploadType": uploadType}
    if precondition is not None:
        params["ifGenerationMatch"] = str(precondition)
    return params


def multipart_upload(
    backend: GCSBackend,
    key: str,
    data: bytes,
    *,
    precondition: int | None,
    metadata: Mapping[str, str] | None,
) -> dict[str, Any]:
    """Metadata and content in one POST; the new object's resource."""
    boundary = os.urandom(16).hex()
    while boundary.encode() in data:  # pragma: no cover - 2**-128 per attempt
        boundary = os.urandom(16).hex()
    head = (
        f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        f"{json.dumps(_resource(key, metadata))}\r\n"
        f"--{boundary}\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = b"".join((head, data, f"\r\n--{boundary}--\r\n".encode()))
    response = backend._request(
        "POST",
        backend._upload_url(),
        key,
        params=_params("multipart", precondition),
        headers={"Content-Type": f"multipart/related; boundary={boundary}"},
        data=body,
    )
    return response.json()  # type: ignore[no-any-return]


class ResumableUpload:
    """A resumable upload session: chunks go out as they fill; :meth:`finish` commits.

    A chunk that fails in transit is resent from the offset the service reports it has
    (per the backend's retry policy); memory holds at most one chunk plus one write.
    """

    def __init__(
        self,
        backend: GCSBackend,
        key: str,
        *,
        precondition: int | None,
        metadata: Mapping[str, str] | None,
        chunk_size: int,
    ) -> None:
        self._backend = backend
        self._key = key
        self._precondition = precondition
        self._metadata = metadata
        self._chunk_size = chunk_size
        self._session: str | None = None
        self._buffer = bytearray()
        self.sent = 0  # bytes the service has acknowledged
        self.resource: dict[str, Any] | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Queue ``data`` (a ``bytearray`` is taken over, not copied); full chunks are sent."""
        if not self._buffer and isinstance(data, bytearray):
            self._buffer = data
        else:
            self._buffer += data
        while len(self._buffer) >= self._chunk_size + 1:  # keep >= 1 byte for the final
            chunk, self._buffer = self._buffer, self._buffer[self._chunk_size :]
            self._send(memoryview(chunk)[: self._chunk_size], final=False)

    def finish(self) -> dict[str, Any]:
        """Send what is left as the final chunk; the new object's resource."""
        chunk, self._buffer = self._buffer, bytearray()
        self._send(memoryview(chunk), final=True)
        assert self.resource is not None
        return self.resource

    def abort(self) -> None:
        """Cancel the session (best effort: an abandoned session expires anyway)."""
        session, self._session = self._session, None
        if session is not None:
            try:
                self._backend._request("DELETE", session, self._key, ok=(499,))
            except RemoteStoreError:
                pass

    def _start(self) -> str:
        response = self._backend._request(
            "POST",
            self._backend._upload_url(),
            self._key,
            params=_params("resumable", self._precondition),
            json=_resource(self._key, self._metadata),
            idempotent=True,
        )
        location = response.headers.get("Location")
        if not location:
            raise BackendUnavailable(
                "no upload session in the response", path=self._key, backend="gcs"
            )
        return str(location)

    def _send(self, chunk: memoryview, *, final: bool) -> None:
        if self._session is None:
            self._session = self._start()
        base, end = self.sent, self.sent + len(chunk)
        total = str(end) if final else "*"
        start = base
        delays = iter(self._backend.retry_policy.delays())
        while True:
            span = f"{start}-{end - 1}" if end > start else "*"
            try:
                response = self._backend._request(
                    "PUT",
                    self._session,
                    self._key,
                    headers={"Content-Range": f"bytes {span}/{total}"},
                    data=chunk[start - base :],
                    ok=(308,),
                )
                break
            except RemoteStoreError as exc:
                delay = next(delays, None) if exc.retryable else None
                if delay is None:
                    raise
                self._backend._sleep(delay)
                start = self._persisted(total)
                if self.resource is not None or (not final and start >= end):
                    self.sent = end
                    return
                if not base <= start <= end:
                    raise BackendUnavailable(
                        "the upload session lost data", path=self._key, backend="gcs"
                    ) from exc
        if response.status_code != 308:
            self.sent, self.resource = end, response.json()
            return
        acked = self._acknowledged(response)
        if final or not base <= acked <= end:
            raise BackendUnavailable(
                "the service did not take the whole upload", path=self._key, backend="gcs"
            )
        if acked < end:  # the service kept less: the rest goes out with the next chunk
            self._buffer = bytearray(chunk[acked - base :]) + self._buffer
        self.sent = acked

    def _persisted(self, total: str) -> int:
        """Ask the session how many bytes it holds (after a failed chunk)."""
        assert self._session is not None
        response = self._backend._request(
            "PUT",
            self._session,
            self._key,
            headers={"Content-Range": f"bytes */{total}"},
            ok=(308,),
        )
        if response.status_code == 308:
            return self._acknowledged(response)
        if total == "*":
            self._drop_premature(response.json())
        self.resource = response.json()
        return self.sent

    def _drop_premature(self, resource: dict[str, Any]) -> None:
        """A server that commits on a status query (fake-gcs-server does) made a partial
        object visible: delete exactly that generation and fail the upload."""
        generation = resource.get("generation")
        if generation is not None:
            try:
                self._backend._request(
                    "DELETE",
                    self._backend._url(self._key),
                    self._key,
                    params={"ifGenerationMatch": str(generation)},
                )
            except RemoteStoreError:
                pass
        raise BackendUnavailable(
            "the server committed the upload before its last chunk; the partial object was deleted",
            path=self._key,
            backend="gcs",
        )

    @staticmethod
    def _acknowledged(response: Any) -> int:
        """The byte count a 308 reports (``Range: bytes=0-N``; no header: none yet)."""
        text = response.headers.get("Range")
        try:
            return int(text.rpartition("-")[2]) + 1 if text else 0
        except ValueError:
            return -1
