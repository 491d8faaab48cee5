"""Faults between the client and the emulator: a small HTTP proxy on loopback answers with
errors, cuts bodies short or loses responses; the backend retries what is idempotent,
resumes reads and uploads, and types every failure."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from remote_store.backend import RetryPolicy
from remote_store.errors import BackendUnavailable, InvalidArgument, PermissionDenied
from remote_store_gcs import GCSBackend

FAST_RETRY = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05, jitter=0.0)


class FaultProxy:
    """Forwards every request to the emulator unless a fault is armed.

    ``answer``: statuses to send instead of forwarding (one per request, for ``method``);
    ``cut_body``: send only this many body bytes of the next forwarded GET, then close;
    ``lose_response``: forward the next ``lose_method`` request, then close without answering.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self.answer: list[int] = []
        self.method: str | None = None
        self.cut_body: int | None = None
        self.lose_response = 0
        self.lose_method = "PUT"
        self.seen: list[str] = []
        self._session = requests.Session()
        self._session.trust_env = False  # never through a proxy from the environment
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                proxy._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _take(self, handler: BaseHTTPRequestHandler) -> str | None:
        with self._lock:
            self.seen.append(f"{handler.command} {handler.path}")
            if self.answer and self.method in (None, handler.command):
                return f"answer {self.answer.pop(0)}"
            if (
                self.cut_body is not None
                and handler.command == "GET"
                and "alt=media" in handler.path
            ):
                cut, self.cut_body = self.cut_body, None
                return f"cut {cut}"
            if self.lose_response and handler.command == self.lose_method:
                self.lose_response -= 1
                return "lose"
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        fault = self._take(handler)
        if fault and fault.startswith("answer"):
            status = int(fault.split()[1])
            payload = b'{"error": {"code": %d, "errors": [{"reason": "injected"}]}}' % status
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        headers = {
            k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length")
        }
        path = handler.path
        if path.startswith("http://"):  # asked as a forward proxy: an absolute URL
            path = "/" + path.split("/", 3)[3]
        upstream = self._session.request(
            handler.command, self.target + path, headers=headers, data=body, timeout=30
        )
        if fault == "lose":
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        content = upstream.content
        handler.send_response(upstream.status_code)
        for name, value in upstream.headers.items():
            if name.lower() in (
                "transfer-encoding",
                "connection",
                "content-length",
                "content-encoding",
            ):
                continue
            handler.send_header(name, value.replace(self.target, self.url))
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        if fault and fault.startswith("cut"):
            handler.wfile.write(content[: int(fault.split()[1])])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.wfile.write(content)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(emulator: Any) -> Iterator[FaultProxy]:
    found = FaultProxy(emulator.url)
    yield found
    found.close()


@pytest.fixture
def flaky(proxy: FaultProxy, bucket: str) -> GCSBackend:
    return GCSBackend(bucket, endpoint_url=proxy.url, retry=FAST_RETRY, chunk_size=256 * 1024)


def test_idempotent_requests_are_retried_through_503_and_429(
    flaky: GCSBackend, proxy: FaultProxy
) -> None:
    flaky.write("f", b"data")
    proxy.answer = [503, 429]
    assert flaky.read_bytes("f") == b"data"
    proxy.answer = [503]
    assert flaky.exists("f")
    proxy.answer = [503, 503, 503]  # more than the policy's three attempts
    with pytest.raises(BackendUnavailable) as caught:
        flaky.get_file_info("f")
    assert caught.value.retryable and "injected" in str(caught.value)


def test_a_delete_is_not_retried(flaky: GCSBackend, proxy: FaultProxy) -> None:
    flaky.write("d", b"1")
    proxy.answer, proxy.method = [503], "DELETE"
    with pytest.raises(BackendUnavailable):
        flaky.delete("d")
    assert flaky.is_file("d")


@pytest.mark.parametrize(
    ("status", "kind"), [(403, PermissionDenied), (401, PermissionDenied), (400, InvalidArgument)]
)
def test_statuses_map_to_typed_errors(
    flaky: GCSBackend, proxy: FaultProxy, status: int, kind: type[Exception]
) -> None:
    proxy.answer = [status]
    with pytest.raises(kind) as caught:
        flaky.read_bytes("any")
    assert caught.value.path == "any"  # type: ignore[attr-defined]


def test_a_retried_create_that_met_its_own_first_attempt_succeeds(
    flaky: GCSBackend, proxy: FaultProxy
) -> None:
    proxy.lose_response, proxy.lose_method = 1, "POST"  # stored, but the answer is lost
    result = flaky.write("once", b"payload")
    assert result.size == 7 and flaky.read_bytes("once") == b"payload"
    flaky.write("taken", b"theirs")
    proxy.lose_response, proxy.lose_method = 1, "POST"
    with pytest.raises(Exception) as caught:  # a real conflict stays a conflict
        flaky.write("taken", b"mine")
    assert type(caught.value).__name__ in ("AlreadyExists", "BackendUnavailable")
    assert flaky.read_bytes("taken") == b"theirs"


def test_a_cut_read_resumes_from_its_offset(flaky: GCSBackend, proxy: FaultProxy) -> None:
    data = bytes(range(256)) * 64
    flaky.write("big", data)
    proxy.cut_body = 1000
    with flaky.read("big") as stream:
        assert stream.read() == data
    ranged = [line for line in proxy.seen if line.startswith("GET") and "alt=media" in line]
    assert len(ranged) == 2  # the first GET and one resumed from byte 1000


def test_a_lost_chunk_answer_never_leaves_a_partial_object(
    flaky: GCSBackend, proxy: FaultProxy
) -> None:
    """GCS answers the status query after a lost chunk answer with the persisted range and
    the upload resumes there. fake-gcs-server instead *commits* the session on that query:
    the backend detects the premature commit, deletes that generation and fails typed."""
    data = bytes(range(256)) * 4096  # 1 MiB: four chunks of 256 KiB
    proxy.lose_response, proxy.lose_method = 1, "PUT"
    with pytest.raises(BackendUnavailable, match="partial object"):
        flaky.write("resumed.bin", io.BytesIO(data))
    assert not flaky.is_file("resumed.bin")
    status_queries = [line for line in proxy.seen if line.startswith("PUT")]
    assert len(status_queries) >= 2


def test_a_proxy_from_the_environment_is_used(
    emulator: Any, bucket: str, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment is read once per session (not per request), and still honoured."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    backend = GCSBackend(bucket, endpoint_url=emulator.url)
    backend.write("via-proxy", b"1")
    assert backend.read_bytes("via-proxy") == b"1"
    assert len(proxy.seen) == 2 and all(emulator.url in line for line in proxy.seen)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = GCSBackend(bucket, endpoint_url=emulator.url)
    assert direct.read_bytes("via-proxy") == b"1"
    assert len(proxy.seen) == 2  # bypassed
