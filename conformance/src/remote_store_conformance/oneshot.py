"""Run ``pytest --rs-conformance=TYPE`` in a subprocess, as a backend author would.

Used by the repository's own tests to certify every in-repo backend from the one-command
mode against the servers their test session started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["QUICK", "CommandLineRun", "certify_from_command_line", "describe"]

#: The kit's quick settings: a shorter stateful run. The large file keeps its 64 MiB: the
#: bounded-memory rules allow size / 4, and a backend may rightly buffer a 16 MiB part.
QUICK: tuple[str, ...] = ("--rs-stateful-examples=10",)


@dataclass(frozen=True)
class CommandLineRun:
    """The outcome of one command-line certification."""

    returncode: int
    stdout: str
    certificate: dict[str, Any] | None

    @property
    def certified(self) -> bool:
        """Whether the run ended with a certificate saying CERTIFIED."""
        return bool(self.certificate and self.certificate.get("certified"))

    def verdict_line(self) -> str:
        """The kit's one-line verdict from the terminal summary (or the output's tail)."""
        for line in self.stdout.splitlines():
            if "CERTIFIED" in line or "NOT RUN" in line:
                return line.strip()
        return self.stdout[-2000:]


def _option_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def certify_from_command_line(
    type_name: str,
    options: Mapping[str, object],
    folder: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> CommandLineRun:
    """Certify ``type_name`` built with ``options`` from an empty ``folder`` (``env``:
    extra environment variables; ``folder`` is importable, for ``--rs-seeded-factory``)."""
    certificate = folder / "certificate.json"
    # the run is a user's run: not under the caller's pytest, nor its coverage measurement
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_") and k != "COVERAGE_PROCESS_CONFIG"
    }
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    environment.update(env or {})
    command: list[str] = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        f"--rs-conformance={type_name}",
        f"--rs-certificate={certificate}",
    ]
    for key, value in options.items():
        command += ["--rs-option", f"{key}={_option_text(value)}"]
    command += list(args)
    proc = subprocess.run(
        command,
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    data = json.loads(certificate.read_text()) if certificate.exists() else None
    return CommandLineRun(proc.returncode, proc.stdout + proc.stderr, data)


def describe(run: CommandLineRun, extra: Sequence[str] = ()) -> str:
    """A failure message: the verdict, the failed rules and the output's tail."""
    failures = (run.certificate or {}).get("failures", [])
    return "\n".join([run.verdict_line(), f"failures: {failures}", *extra, run.stdout[-4000:]])
