"""Helpers for tests that need a real server process on loopback.

A test that cannot find or start its server skips with the reason on a developer's
machine and fails when ``CI`` is set to a true value, so CI never hides a missing server.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from typing import IO, NoReturn

import pytest

__all__ = [
    "ServerProcess",
    "free_port",
    "in_ci",
    "require_executable",
    "server_missing",
    "wait_for_port",
]


def in_ci() -> bool:
    """Whether the ``CI`` environment variable is set to a true value."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def server_missing(reason: str) -> NoReturn:
    """Skip the test (developer machine) or fail it (CI) because a server is missing."""
    if in_ci():
        pytest.fail(f"server unavailable under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_executable(name: str, *candidates: str) -> str:
    """The path of an executable, or :func:`server_missing`."""
    for candidate in (name, *candidates):
        found = shutil.which(candidate) or (candidate if os.access(candidate, os.X_OK) else None)
        if found:
            return found
    server_missing(f"{name} is not installed")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 20.0) -> None:
    """Wait until something accepts connections on ``host:port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s") from None
            time.sleep(0.05)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class ServerProcess:
    """A server subprocess that dies with the test run and is stopped politely."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        stdout: int | IO[bytes] | None = subprocess.DEVNULL,
    ) -> None:
        self.args = list(args)
        self.process = subprocess.Popen(
            self.args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout is subprocess.PIPE else subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    @contextlib.contextmanager
    def running(self) -> Iterator[ServerProcess]:
        """Stop the server when the block ends."""
        try:
            yield self
        finally:
            self.stop()
