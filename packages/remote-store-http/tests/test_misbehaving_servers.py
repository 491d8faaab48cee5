"""The HTTP backend against servers that refuse, throttle, lie or redirect."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from remote_store import BackendUnavailable, PermissionDenied, RemoteStoreError, Store
from remote_store.backend import RetryPolicy
from remote_store_http import ReadOnlyHttpBackend
from werkzeug import Request, Response

FAST_RETRY = RetryPolicy(max_attempts=3, backoff_base=0, jitter=0)


def _backend(server: HTTPServer, **options: object) -> tuple[ReadOnlyHttpBackend, list[float]]:
    backend = ReadOnlyHttpBackend(server.url_for("/"), retry=FAST_RETRY, **options)  # type: ignore[arg-type]
    waits: list[float] = []
    backend._sleep = waits.append  # record instead of sleeping
    return backend, waits


def _methods(server: HTTPServer) -> list[str]:
    return [request.method for request, _ in server.log]


def test_head_refused_falls_back_to_a_ranged_get_and_is_remembered(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/f.txt", method="HEAD").respond_with_data("", status=403)
    httpserver.expect_request("/f.txt", method="GET").respond_with_data(
        "h", status=206, headers={"Content-Range": "bytes 0-0/5", "ETag": '"v1"'}
    )
    backend, _ = _backend(httpserver)
    store = Store(backend)
    assert store.get_file_info("f.txt").size == 5
    assert store.exists("f.txt")
    assert _methods(httpserver) == ["HEAD", "GET", "GET"]


def test_429_is_retried_no_sooner_than_retry_after_seconds(httpserver: HTTPServer) -> None:
    answers = iter(
        [
            Response("slow down", status=429, headers={"Retry-After": "2"}),
            Response("ok", status=200),
        ]
    )
    httpserver.expect_request("/f.txt").respond_with_handler(lambda request: next(answers))
    backend, waits = _backend(httpserver)
    assert Store(backend).read_bytes("f.txt") == b"ok"
    assert waits == [2.0]
    assert len(httpserver.log) == 2


def test_503_with_an_http_date_retry_after_is_retried(httpserver: HTTPServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    answers = iter(
        [Response("busy", status=503, headers={"Retry-After": later}), Response("ok", status=200)]
    )
    httpserver.expect_request("/f.txt").respond_with_handler(lambda request: next(answers))
    backend, waits = _backend(httpserver)
    assert Store(backend).read_bytes("f.txt") == b"ok"
    assert len(waits) == 1 and 25 <= waits[0] <= 31


def test_persistent_503_gives_up_with_backend_unavailable(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/f.txt").respond_with_data("down", status=503)
    backend, waits = _backend(httpserver)
    with pytest.raises(BackendUnavailable):
        Store(backend).read_bytes("f.txt")
    assert len(httpserver.log) == FAST_RETRY.max_attempts
    assert len(waits) == FAST_RETRY.max_attempts - 1


def test_401_is_permission_denied_without_retry(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/f.txt").respond_with_data("no", status=401)
    backend, waits = _backend(httpserver)
    with pytest.raises(PermissionDenied):
        Store(backend).read_bytes("f.txt")
    assert waits == [] and len(httpserver.log) == 1


def test_redirects_are_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old.txt").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new.txt")}
    )
    httpserver.expect_request("/new.txt").respond_with_data("moved")
    backend, _ = _backend(httpserver)
    assert Store(backend).read_bytes("old.txt") == b"moved"


def test_a_redirect_loop_is_a_typed_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/loop.txt").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/loop.txt")}
    )
    backend, _ = _backend(httpserver, max_redirects=3)
    with pytest.raises(RemoteStoreError, match="redirects"):
        Store(backend).read_bytes("loop.txt")
    assert len(httpserver.log) == 4


def test_a_server_without_range_support_still_gives_a_seekable_stream(
    httpserver: HTTPServer,
) -> None:
    data = bytes(range(256)) * 64

    def ignore_range(request: Request) -> Response:
        return Response(data, status=200, headers={"ETag": '"same"'})

    httpserver.expect_request("/f.bin").respond_with_handler(ignore_range)
    backend, _ = _backend(httpserver)
    with Store(backend).read_seekable("f.bin") as stream:
        stream.seek(1000)
        assert stream.read(10) == data[1000:1010]
        stream.seek(5)
        assert stream.read(3) == data[5:8]


@pytest.fixture
def short_body_server() -> Iterator[str]:
    """A raw server that announces 100 bytes and sends 10."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    listener.close()


@pytest.mark.parametrize("client", ["httpx", "requests", "urllib"])
def test_a_body_shorter_than_content_length_is_a_typed_error(
    short_body_server: str, client: str
) -> None:
    store = Store(ReadOnlyHttpBackend(short_body_server, http_client=client))
    with pytest.raises(BackendUnavailable):
        store.read_bytes("f.bin")


Reply = bytes | Callable[[str], bytes]


class ScriptedServer:
    """A raw HTTP server that answers the n-th request with the n-th scripted reply (bytes,
    or a function of the request head) and then closes the connection; a reply may
    announce more bytes than it sends."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = replies
        self.requests: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        break
                    head += data
                text = head.decode("latin-1")
                self.requests.append(text)
                index = len(self.requests) - 1
                if index < len(self.replies):
                    reply = self.replies[index]
                    conn.sendall(reply(text) if callable(reply) else reply)

    def close(self) -> None:
        self._listener.close()


DATA = bytes(range(100))
CUT_AFTER_40 = b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: "v1"\r\n\r\n' + DATA[:40]
NEW_VERSION = b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: "v2"\r\n\r\n' + bytes(100)


def _range_start(head: str) -> int:
    match = re.search(r"(?im)^range: bytes=(\d+)-\s*$", head)
    assert match, head
    return int(match.group(1))


def partial(head: str, *, send: int | None = None) -> bytes:
    """A 206 for the requested ``bytes=N-`` of DATA (only ``send`` bytes of it, if given)."""
    start = _range_start(head)
    body = DATA[start:]
    return (
        b'HTTP/1.1 206 Partial Content\r\nETag: "v1"\r\n'
        + f"Content-Length: {len(body)}\r\nContent-Range: bytes {start}-99/100\r\n\r\n".encode()
        + body[:send]
    )


@pytest.mark.parametrize("client", ["httpx", "requests", "urllib"])
def test_a_cut_body_resumes_from_where_it_stopped_on_the_same_version(client: str) -> None:
    server = ScriptedServer([CUT_AFTER_40, partial])
    try:
        backend = ReadOnlyHttpBackend(server.url, retry=FAST_RETRY, http_client=client)
        assert Store(backend).read_bytes("f.bin") == DATA
        resume = server.requests[1].lower()
        assert _range_start(resume) in (0, 40)  # 40, or 0 where the client dropped its buffer
        assert 'if-range: "v1"' in resume
    finally:
        server.close()


@pytest.mark.parametrize("client", ["httpx", "requests", "urllib"])
def test_a_cut_body_never_continues_with_another_version(client: str) -> None:
    server = ScriptedServer([CUT_AFTER_40, NEW_VERSION])  # If-Range failed: a whole 200
    try:
        backend = ReadOnlyHttpBackend(server.url, retry=FAST_RETRY, http_client=client)
        with pytest.raises(BackendUnavailable, match="same version"):
            Store(backend).read_bytes("f.bin")
    finally:
        server.close()


def test_resumes_are_bounded_by_the_retry_policy() -> None:
    def cut_again(head: str) -> bytes:
        return partial(head, send=0)

    server = ScriptedServer([CUT_AFTER_40] + [cut_again] * 5)
    try:
        backend = ReadOnlyHttpBackend(server.url, retry=FAST_RETRY, http_client="urllib")
        with pytest.raises(BackendUnavailable):
            Store(backend).read_bytes("f.bin")
        assert len(server.requests) == FAST_RETRY.max_attempts  # the GET and 2 resumes
    finally:
        server.close()
