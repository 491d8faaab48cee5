"""ReadOnlyHttpBackend: files under a base URL, read-only.

Keys map to ``base_url + quote(key)``. Metadata comes from HEAD, or from a one-byte ranged
GET when the server refuses HEAD (remembered). ``read`` streams the body; ``read_seekable``
fetches only the ranges that are read. Idempotent requests are retried per
``RetryPolicy`` on transport errors, 408, 429 and 5xx, never sooner than ``Retry-After``.
"""

from __future__ import annotations

import email.utils
import io
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO, TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from remote_store import Backend, Capability, CapabilitySet, FileInfo, RemotePath, ResolutionPlan
from remote_store.backend import (
    SPOOL_MAX_MEMORY,
    RetryPolicy,
    Secret,
    call_with_retry,
    redact_text,
    redact_url,
    reveal,
)
from remote_store.errors import (
    BackendUnavailable,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)

from remote_store_http._body import BodyStream
from remote_store_http._transport import (
    Response,
    TooManyRedirects,
    Transport,
    TransportError,
    make_transport,
)

__all__ = ["ReadOnlyHttpBackend"]

T = TypeVar("T")
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_CHUNK = 256 * 1024


class _RetryableStatus(BackendUnavailable):
    """A status worth retrying; carries the server's ``Retry-After`` in seconds."""

    def __init__(self, status: int, retry_after: float | None, path: str) -> None:
        super().__init__(f"HTTP {status}", path=path, backend="http")
        self.status = status
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _public_url(url: str) -> str:
    """``url`` without userinfo and with secret query values masked."""
    parts = urlsplit(url)
    return redact_url(urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])))


class ReadOnlyHttpBackend(Backend):
    """Read-only access to files published under ``base_url``."""

    CAPABILITIES = CapabilitySet({Capability.READ, Capability.METADATA, Capability.LAZY_READ})

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str | Secret] | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        http_client: str | None = None,
        verify_ssl: bool = True,
        max_redirects: int = 5,
    ) -> None:
        url = reveal(base_url) or ""
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise InvalidArgument(f"base_url must be an http(s) URL, got {redact_text(url)!r}")
        self._base_url = url if url.endswith("/") else url + "/"
        # what native_path/resolve show: no userinfo, secret query values masked
        self._public_base = _public_url(self._base_url)
        self._headers = dict(headers or {})
        self._retry = RetryPolicy(**retry) if isinstance(retry, Mapping) else retry
        self._transport: Transport = make_transport(
            http_client, timeout=timeout, verify=verify_ssl, max_redirects=max_redirects
        )
        self._head_refused = False
        self._sleep: Callable[[float], None] = time.sleep

    @property
    def name(self) -> str:
        return "http"

    @property
    def location(self) -> str:
        """``http '<base URL>'`` without userinfo, secret query values masked."""
        return f"http {self._public_base!r}"

    def __repr__(self) -> str:
        return f"ReadOnlyHttpBackend(base_url={redact_text(self._base_url)!r})"

    # -- requests ---------------------------------------------------------------------

    def _url(self, key: str) -> str:
        return self._base_url + quote(key, safe="/")

    def _send(self, method: str, key: str, extra: Mapping[str, str] | None = None) -> Response:
        """One request with retries; returns a response whose status is 2xx, 404, 401/403
        or another final status (the caller decides), the body unread."""
        headers = {name: str(reveal(value)) for name, value in self._headers.items()}
        headers.update(extra or {})

        def attempt() -> Response:
            try:
                response = self._transport.send(method, self._url(key), headers)
            except TooManyRedirects:
                raise RemoteStoreError("too many redirects", path=key, backend="http") from None
            except TransportError as exc:
                raise BackendUnavailable(str(exc), path=key, backend="http") from None
            if response.status in _RETRY_STATUSES:
                after = _retry_after(response.header("Retry-After"))
                response.close()
                raise _RetryableStatus(response.status, after, key)
            return response

        return call_with_retry(
            self._retry,
            attempt,
            retry_after=lambda exc: exc.retry_after if isinstance(exc, _RetryableStatus) else None,
            sleep=self._sleep,
            backend="http",
            name=method,
            path=key,
        )

    def _ok(self, response: Response, key: str) -> Response:
        """Raise the typed error of a non-2xx response (closing it)."""
        status = response.status
        if 200 <= status < 300:
            return response
        response.close()
        if status == 404 or status == 410:
            raise NotFound("not found", path=key, backend="http")
        if status in (401, 403):
            raise PermissionDenied(f"HTTP {status}", path=key, backend="http")
        if status == 416:
            raise RemoteStoreError("range not satisfiable", path=key, backend="http")
        raise RemoteStoreError(f"HTTP {status}", path=key, backend="http")

    def _probe(self, key: str) -> Response:
        """HEAD, or a one-byte ranged GET where HEAD is refused; the response is closed."""
        if not self._head_refused:
            response = self._send("HEAD", key)
            response.close()
            if response.status not in (401, 403, 405, 501):
                return response
            self._head_refused = True
        response = self._send("GET", key, {"Range": "bytes=0-0"})
        response.close()
        return response

    # -- queries ----------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        return self.is_file(path)

    def is_file(self, path: str) -> bool:
        if path == "":
            return False
        response = self._probe(path)
        if response.status in (404, 410):
            return False
        self._ok(response, path)
        return True

    def is_folder(self, path: str) -> bool:
        return False

    def get_file_info(self, path: str) -> FileInfo:
        if path == "":
            raise NotFound("the root is not a file", path=path, backend="http")
        response = self._ok(self._probe(path), path)
        return FileInfo(
            path=RemotePath._trusted(path),
            name=path.rpartition("/")[2],
            size=_size_of(response),
            modified_at=_modified(response.header("Last-Modified")),
            etag=response.header("ETag"),
            content_type=response.header("Content-Type"),
        )

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        """One GET streamed; a cut body resumes with ``Range`` + ``If-Range`` (see ``_body``)."""
        response = self._ok(self._send("GET", path), path)
        resumes = (self._retry or RetryPolicy()).max_attempts - 1
        return io.BufferedReader(BodyStream(response, path, self._send, resumes), _CHUNK)

    def read_bytes(self, path: str) -> bytes:
        with self.read(path) as stream:
            return stream.read()

    def read_seekable(self, path: str) -> BinaryIO:
        info = self.get_file_info(path)
        return io.BufferedReader(_RangeReader(self, path, info.size, info.etag), _CHUNK)

    # -- naming, health, lifecycle ----------------------------------------------------

    def native_path(self, path: str) -> str:
        """The file's URL without credentials (userinfo removed, secret query values masked)."""
        return self._public_base + quote(path, safe="/")

    def to_key(self, native_path: str) -> str:
        for base in (self._base_url, self._public_base):
            if native_path.startswith(base):
                return unquote(native_path[len(base) :])
        return native_path

    def resolve(self, path: str) -> ResolutionPlan:
        url = self.native_path(path)
        return ResolutionPlan("http", "http", path, url, {"url": url, "method": "GET"})

    def check_health(self) -> None:
        response = self._probe("")
        if response.status in (401, 407):
            raise PermissionDenied(f"HTTP {response.status}", backend="http")
        if response.status >= 500:
            raise BackendUnavailable(f"HTTP {response.status}", backend="http")

    def close(self) -> None:
        self._transport.close()

    def unwrap(self, type_hint: type[T]) -> T:
        for candidate in (
            self._transport,
            getattr(self._transport, "client", None),
            getattr(self._transport, "session", None),
        ):
            if isinstance(candidate, type_hint):
                return candidate
        return super().unwrap(type_hint)


def _size_of(response: Response) -> int:
    content_range = response.header("Content-Range")
    if content_range and "/" in content_range:
        total = content_range.rpartition("/")[2].strip()
        if total.isdigit():
            return int(total)
    length = response.header("Content-Length")
    return int(length) if length and length.isdigit() else 0


def _modified(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


class _RangeReader(io.RawIOBase):
    """A seekable stream: each read is one ranged GET (``If-Range`` pins the version)."""

    def __init__(self, backend: ReadOnlyHttpBackend, key: str, size: int, etag: str | None):
        super().__init__()
        self._backend = backend
        self._key = key
        self._size = size
        self._etag = etag
        self._position = 0
        self._spool: IO[bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        if self._position >= self._size or len(buffer) == 0:
            return 0
        if self._spool is not None:
            self._spool.seek(self._position)
            data = self._spool.read(len(buffer))
            buffer[: len(data)] = data
            self._position += len(data)
            return len(data)
        end = min(self._size, self._position + len(buffer)) - 1
        headers = {"Range": f"bytes={self._position}-{end}"}
        if self._etag and not self._etag.startswith("W/"):
            headers["If-Range"] = self._etag
        response = self._backend._ok(self._backend._send("GET", self._key, headers), self._key)
        try:
            if response.status != 206:
                self._spool_whole(response)
                return self.readinto(buffer)
            view = memoryview(buffer)
            count = 0
            for chunk in response.iter_bytes(_CHUNK):
                take = min(len(chunk), len(view) - count)
                view[count : count + take] = chunk[:take]
                count += take
                if count >= len(view):
                    break
        except TransportError as exc:
            raise BackendUnavailable(str(exc), path=self._key, backend="http") from None
        finally:
            response.close()
        self._position += count
        return count

    def _spool_whole(self, response: Response) -> None:
        """The server ignored Range: keep the full body (same version only) in a spool."""
        etag = response.header("ETag")
        if self._etag and etag and etag != self._etag:
            raise RemoteStoreError("file changed while reading", path=self._key, backend="http")
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY)  # noqa: SIM115
        for chunk in response.iter_bytes(_CHUNK):
            self._spool.write(chunk)

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
        super().close()
