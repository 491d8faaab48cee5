"""The RetryPolicy reaches obstore's retry loop: a server answering ``503`` a set number of
times is retried exactly ``max_attempts - 1`` times, then the error is
:class:`BackendUnavailable` (retryable)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from remote_store.backend import RetryPolicy
from remote_store.errors import BackendUnavailable
from remote_store_obstore import S3ObstoreBackend


class Flaky(ThreadingHTTPServer):
    """Answers HEAD with ``503`` while ``failures`` is positive, then with a 5-byte object."""

    failures = 0
    requests = 0


class Handler(BaseHTTPRequestHandler):
    server: Flaky

    def do_HEAD(self) -> None:
        self.server.requests += 1
        if self.server.failures > 0:
            self.server.failures -= 1
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.send_header("ETag", '"0123456789abcdef"')
        self.send_header("Last-Modified", formatdate(usegmt=True))
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[Flaky]:
    server = Flaky(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _backend(server: Flaky, attempts: int) -> S3ObstoreBackend:
    policy = RetryPolicy(max_attempts=attempts, backoff_base=0.01, backoff_max=0.02, jitter=0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    return S3ObstoreBackend("b", endpoint_url=url, key="x", secret="y", retry=policy)


@pytest.mark.parametrize("attempts", [1, 3])
def test_failures_up_to_the_policy_are_retried_then_typed(flaky: Flaky, attempts: int) -> None:
    flaky.failures = attempts  # one more than the retries the policy allows
    with pytest.raises(BackendUnavailable) as caught:
        _backend(flaky, attempts).is_file("k")
    assert caught.value.retryable
    assert flaky.requests == attempts


def test_a_transient_failure_within_the_policy_is_invisible(flaky: Flaky) -> None:
    flaky.failures = 2
    assert _backend(flaky, 3).is_file("k")
    assert flaky.requests == 3
