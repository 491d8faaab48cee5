"""pyarrow's read path against a misbehaving S3 endpoint: typed errors, retries per policy.

The endpoint is a small HTTP server of this test on loopback that answers every request
with the same canned response (a 503, or a 200 whose body is cut short).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from remote_store import Store
from remote_store.backend import RetryPolicy
from remote_store.errors import BackendUnavailable
from remote_store_s3_pyarrow import S3PyArrowBackend

SLOW_DOWN = b'<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>m</Message></Error>'


class CannedServer:
    """Answers each HTTP request with ``response`` and counts the requests."""

    def __init__(self, response: bytes, *, close_after: bool) -> None:
        self.response = response
        self.close_after = close_after
        self.requests = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as incoming:
            while incoming.readline():
                length = 0
                for line in iter(incoming.readline, b"\r\n"):
                    if not line:
                        return
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                incoming.read(length)
                self.requests += 1
                connection.sendall(self.response)
                if self.close_after:
                    return

    def close(self) -> None:
        self._socket.close()


def _backend(server: CannedServer) -> S3PyArrowBackend:
    return S3PyArrowBackend(
        bucket="bucket",
        endpoint_url=f"http://127.0.0.1:{server.port}",
        key="x",
        secret="y",
        retry=RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05, jitter=0.0),
    )


@pytest.fixture
def slow_down() -> Iterator[CannedServer]:
    head = b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
    server = CannedServer(
        head + b"Content-Length: %d\r\n\r\n" % len(SLOW_DOWN) + SLOW_DOWN, close_after=False
    )
    yield server
    server.close()


@pytest.fixture
def cut_body() -> Iterator[CannedServer]:
    head = b'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nETag: "e"\r\n'
    server = CannedServer(
        head + b"Last-Modified: Sun, 29 Nov 2026 18:00:00 GMT\r\n\r\n" + b"x" * 10, close_after=True
    )
    yield server
    server.close()


@pytest.mark.parametrize("operation", ["read_bytes", "read"])
def test_503_is_retried_per_policy_then_backend_unavailable(
    slow_down: CannedServer, operation: str
) -> None:
    with Store(_backend(slow_down)) as store:
        with pytest.raises(BackendUnavailable):
            result = getattr(store, operation)("key")
            result.read()
    assert slow_down.requests == 3  # the policy's max_attempts


def test_a_body_cut_short_is_an_error_not_short_data(cut_body: CannedServer) -> None:
    with Store(_backend(cut_body)) as store:
        with pytest.raises(BackendUnavailable):
            store.read_bytes("key")
    assert cut_body.requests >= 1
