"""The body of a GET as a raw stream that resumes where a cut connection left it.

A body that ends early (the connection dropped, or fewer bytes than ``Content-Length``)
is continued with ``Range: bytes=<received>-`` and ``If-Range`` on the first response's
strong ETag, so the rest comes from the same version or not at all: a server that answers
anything but a ``206`` starting at that offset ends the read with ``BackendUnavailable``.
Resumes are bounded by the retry policy's ``max_attempts``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from remote_store.errors import BackendUnavailable

from remote_store_http._transport import Response, TransportError

__all__ = ["BodyStream"]

CHUNK = 256 * 1024

#: ``send(method, key, headers)``: one request with the backend's retries.
Send = Callable[[str, str, Mapping[str, str]], Response]


class BodyStream(io.RawIOBase):
    """A response body as a raw stream; short bodies resume or raise, never pass as whole."""

    def __init__(self, response: Response, key: str, send: Send, max_resumes: int) -> None:
        super().__init__()
        self._response = response
        self._chunks: Iterator[bytes] = response.iter_bytes(CHUNK)
        self._pending = b""
        self._received = 0
        length = response.header("Content-Length")
        self._expected = int(length) if length and length.isdigit() else None
        etag = response.header("ETag")
        self._etag = etag if etag and not etag.startswith("W/") else None
        self._key = key
        self._send = send
        self._resumes_left = max_resumes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                if self._expected is None or self._received >= self._expected:
                    return 0
                self._resume(f"body ended after {self._received} of {self._expected} bytes")
            except TransportError as exc:
                self._resume(str(exc))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self._received += size
        return size

    def _resume(self, cause: str) -> None:
        """Continue from ``_received`` on the same version, or raise ``BackendUnavailable``."""
        if self._etag is None or self._expected is None or self._resumes_left < 1:
            raise BackendUnavailable(cause, path=self._key, backend="http")
        self._resumes_left -= 1
        self._response.close()
        headers = {"Range": f"bytes={self._received}-", "If-Range": self._etag}
        self._response = self._send("GET", self._key, headers)
        content_range = self._response.header("Content-Range") or ""
        if self._response.status != 206 or not content_range.startswith(f"bytes {self._received}-"):
            raise BackendUnavailable(
                f"{cause}; the server did not resume the same version",
                path=self._key,
                backend="http",
            )
        self._chunks = self._response.iter_bytes(CHUNK)

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()
