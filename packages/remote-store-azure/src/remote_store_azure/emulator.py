"""Run Azurite (the Azure Storage emulator, Blob API) for tests and examples.

``Azurite.start()`` launches ``azurite-blob`` on 127.0.0.1 with a free port, in-memory
storage and a temporary working directory, reads the port from its "listening on"
line and keeps draining its output. The emulator's development account and key are
public (Azurite documentation); never use them for anything real.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

__all__ = ["ACCOUNT", "ACCOUNT_KEY", "Azurite", "AzuriteUnavailable", "find_azurite"]

ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
_LISTENING = re.compile(rb"(?:listens|listening) on https?://[^\s:]+:(\d+)", re.IGNORECASE)
_RELATIVE_BIN = Path(".tools") / "node" / "node_modules" / ".bin" / "azurite-blob"


class AzuriteUnavailable(RuntimeError):
    """Azurite is not installed or did not start."""


def find_azurite(roots: Iterable[str | Path] = ()) -> str | None:
    """``azurite-blob`` under ``<root>/.tools/node`` for each root, else on PATH."""
    for root in roots:
        candidate = Path(root) / _RELATIVE_BIN
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("azurite-blob")


def _default_roots() -> list[Path]:
    """The working directory and this package's location, each with its parents (so a
    checkout of the repository finds its ``.tools/node``)."""
    roots: list[Path] = []
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        roots.extend([start, *start.parents])
    return roots


class Azurite:
    """A running Azurite; a context manager that stops it and removes its directory."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, workdir: str) -> None:
        self.process = process
        self.port = port
        self._workdir = workdir

    @classmethod
    def start(cls, binary: str | None = None, *, timeout: float = 60.0) -> Azurite:
        """Start ``binary`` (default: ``.tools/node`` above the working directory or this
        package, else ``azurite-blob`` on PATH)."""
        if binary is None:
            binary = find_azurite(_default_roots())
        if binary is None:
            raise AzuriteUnavailable(
                "azurite-blob not found: npm install --prefix .tools/node azurite@3.35.0"
            )
        workdir = tempfile.mkdtemp(prefix="azurite-")
        args = [binary, "--skipApiVersionCheck", "--disableTelemetry", "--loose"]
        args += ["--inMemoryPersistence", "--silent"]
        args += ["--blobHost", "127.0.0.1", "--blobPort", "0"]
        process = subprocess.Popen(
            args,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert process.stdout is not None
        seen: list[bytes] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = _LISTENING.search(line)
            if match:
                drain = threading.Thread(target=_drain, args=(process.stdout,), daemon=True)
                drain.start()
                return cls(process, int(match.group(1)), workdir)
        process.kill()
        process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
        tail = b"".join(seen[-5:]).decode(errors="replace")
        raise AzuriteUnavailable(f"azurite did not start: {tail}")

    @property
    def account_url(self) -> str:
        """The Blob endpoint of the development account."""
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        """A connection string for the development account."""
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={self.account_url};"
        )

    def create_container(self, name: str) -> None:
        """Create a container (sync SDK client)."""
        from azure.storage.blob import BlobServiceClient

        with BlobServiceClient.from_connection_string(self.connection_string) as service:
            service.create_container(name)

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``; remove the working directory."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> Azurite:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _drain(stream: object) -> None:
    for _ in stream:  # type: ignore[attr-defined]
        pass
