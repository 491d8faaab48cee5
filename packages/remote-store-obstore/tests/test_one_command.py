"""The one-command mode: ``pytest --rs-conformance=s3-obstore --rs-option ...`` in an empty
folder certifies the installed backend against moto (a subprocess, as a user runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # a whole certification run in a subprocess


def test_one_command_certifies_s3_obstore(moto_process: Any, tmp_path: Path) -> None:
    bucket = moto_process.new_bucket()
    certificate = tmp_path / "s3-obstore.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rs-conformance=s3-obstore",
        "--rs-option",
        f"bucket={bucket}",
        "--rs-option",
        f"endpoint_url={moto_process.url}",
        "--rs-option",
        "key=x",
        "--rs-option",
        "secret=y",
        f"--rs-certificate={certificate}",
        # a share of the suite keeps this test short; the whole of it runs in the class
        # mode (test_conformance.py) and by hand: see docs/backends/obstore.md
        "-k",
        "not random_operations and not large and not race",
    ]
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    report = json.loads(certificate.read_text())
    assert report["backend"] == "s3-obstore"
    assert report["summary"]["failed"] == 0
    assert report["summary"]["passed"] >= 80
    assert report["distribution"] == "remote-store-obstore"
    # certified by the rules this share runs (their race rule runs in the class mode)
    assert report["capabilities"]["conditional_write"] == "pass"
    assert report["capabilities"]["bulk_delete"] == "pass"
