"""HTTP transports behind one small interface: httpx (default), requests, urllib.

httpx is the default: one pooled client with keep-alive, timeouts, bounded redirects and
TLS verification, sync today and async with the same library later. ``requests`` and the
standard library's ``urllib`` remain selectable (``http_client=``), as in remote-store 0.27.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from remote_store.errors import InvalidArgument

__all__ = ["Response", "TooManyRedirects", "Transport", "TransportError", "make_transport"]


class TransportError(Exception):
    """The request did not produce an HTTP response (connect, timeout, broken body)."""


class TooManyRedirects(TransportError):
    """More redirects than allowed."""


class Response(Protocol):
    """An HTTP response whose body is read lazily."""

    status: int

    def header(self, name: str) -> str | None: ...

    def iter_bytes(self, chunk_size: int) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class Transport(Protocol):
    """Sends one request and returns the response with its body unread."""

    def send(self, method: str, url: str, headers: Mapping[str, str]) -> Response: ...

    def close(self) -> None: ...


class _LibraryResponse:
    """A streamed httpx or requests response: both have ``status_code`` and ``headers``;
    ``chunks`` iterates the body and ``errors`` is the library's exception base class."""

    def __init__(
        self,
        response: Any,
        chunks: Callable[[int], Iterator[bytes]],
        errors: type[Exception],
    ) -> None:
        self._response = response
        self._chunks = chunks
        self._errors = errors
        self.status = int(response.status_code)

    def header(self, name: str) -> str | None:
        value = self._response.headers.get(name)
        return None if value is None else str(value)

    def iter_bytes(self, chunk_size: int) -> Iterator[bytes]:
        try:
            yield from self._chunks(chunk_size)
        except self._errors as exc:
            raise TransportError(type(exc).__name__) from exc

    def close(self) -> None:
        self._response.close()


class HttpxTransport:
    """A pooled ``httpx.Client``."""

    def __init__(self, *, timeout: float, verify: bool, max_redirects: int) -> None:
        import httpx

        self.client = httpx.Client(
            timeout=timeout, verify=verify, follow_redirects=True, max_redirects=max_redirects
        )

    def send(self, method: str, url: str, headers: Mapping[str, str]) -> Response:
        import httpx

        request = self.client.build_request(method, url, headers=dict(headers))
        try:
            response = self.client.send(request, stream=True)
            return _LibraryResponse(response, response.iter_bytes, httpx.HTTPError)
        except httpx.TooManyRedirects as exc:
            raise TooManyRedirects("too many redirects") from exc
        except httpx.HTTPError as exc:
            raise TransportError(type(exc).__name__) from exc

    def close(self) -> None:
        self.client.close()


class RequestsTransport:
    """A ``requests.Session`` (pooled)."""

    def __init__(self, *, timeout: float, verify: bool, max_redirects: int) -> None:
        import requests

        self.session = requests.Session()
        self.session.max_redirects = max_redirects
        self._timeout = timeout
        self._verify = verify

    def send(self, method: str, url: str, headers: Mapping[str, str]) -> Response:
        import requests

        try:
            response = self.session.request(
                method,
                url,
                headers=dict(headers),
                stream=True,
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=True,
            )
        except requests.TooManyRedirects as exc:
            raise TooManyRedirects("too many redirects") from exc
        except requests.RequestException as exc:
            raise TransportError(type(exc).__name__) from exc
        return _LibraryResponse(response, response.iter_content, requests.RequestException)

    def close(self) -> None:
        self.session.close()


class _UrllibResponse:
    def __init__(self, response: Any, status: int) -> None:
        self._response = response
        self.status = status

    def header(self, name: str) -> str | None:
        value = self._response.headers.get(name)
        return None if value is None else str(value)

    def iter_bytes(self, chunk_size: int) -> Iterator[bytes]:
        try:
            while chunk := self._response.read(chunk_size):
                yield chunk
        except (OSError, ValueError) as exc:
            raise TransportError(type(exc).__name__) from exc

    def close(self) -> None:
        self._response.close()


class UrllibTransport:
    """The standard library (no pooling; no extra dependency)."""

    def __init__(self, *, timeout: float, verify: bool, max_redirects: int) -> None:
        redirect = type(
            "_Redirects",
            (urllib.request.HTTPRedirectHandler,),
            {"max_redirections": max_redirects, "max_repeats": max_redirects},
        )
        context = ssl.create_default_context()
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self._opener = urllib.request.build_opener(
            redirect(), urllib.request.HTTPSHandler(context=context)
        )
        self._timeout = timeout

    def send(self, method: str, url: str, headers: Mapping[str, str]) -> Response:
        request = urllib.request.Request(url, headers=dict(headers), method=method)
        try:
            response = self._opener.open(request, timeout=self._timeout)
            return _UrllibResponse(response, int(response.status))
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308):
                raise TooManyRedirects("too many redirects") from exc
            return _UrllibResponse(exc, int(exc.code))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise TransportError(type(exc).__name__) from exc

    def close(self) -> None:
        """Nothing pooled."""


_TRANSPORTS: dict[str, type[HttpxTransport] | type[RequestsTransport] | type[UrllibTransport]] = {
    "httpx": HttpxTransport,
    "requests": RequestsTransport,
    "urllib": UrllibTransport,
}


def make_transport(name: str | None, *, timeout: float, verify: bool, max_redirects: int) -> Any:
    """The transport called ``name`` (``None`` or ``"auto"`` means httpx)."""
    chosen = "httpx" if name in (None, "auto") else name
    factory = _TRANSPORTS.get(str(chosen))
    if factory is None:
        raise InvalidArgument(
            f"http_client must be one of {sorted(_TRANSPORTS)} or 'auto', got {name!r}"
        )
    try:
        return factory(timeout=timeout, verify=verify, max_redirects=max_redirects)
    except ImportError:
        raise InvalidArgument(
            f"http_client={chosen!r} needs the {chosen} package: "
            f"pip install 'remote-store-http[{chosen}]'"
        ) from None
