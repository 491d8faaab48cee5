"""The one-command mode certifies gcs too: ``pytest --rs-conformance=gcs --rs-option ...``
in an empty folder, against a bucket of the session's emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.slow
def test_one_command_mode_certifies_gcs(emulator: Any, tmp_path: Path) -> None:
    bucket = emulator.new_bucket()
    cert = tmp_path / "gcs.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("STORAGE_EMULATOR_HOST", None)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "--rs-conformance=gcs",
        "--rs-option",
        f"bucket={bucket}",
        "--rs-option",
        f"endpoint_url={emulator.url}",
        f"--rs-certificate={cert}",
    ]
    proc = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    data = json.loads(cert.read_text())
    assert data["backend"] == "gcs"
    assert data["distribution"] == "remote-store-gcs"
    assert data["certified"] is True
    assert data["summary"]["passed"] >= 90
    assert data["summary"]["failed"] == 0
    assert set(data["capabilities"].values()) <= {"pass", "refused-as-undeclared"}
    assert data["capabilities"]["exclusive_create"] == "pass"
    assert "CERTIFIED" in proc.stdout
