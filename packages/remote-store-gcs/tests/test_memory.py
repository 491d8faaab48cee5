"""Streams stream: writing and reading a 96 MiB object keeps the RSS growth bounded.

Measured in a subprocess (its peak RSS) against the emulator process, so neither the
test runner nor the server's copy of the data is counted. 96 MiB is three times the
limit, so buffering the object fails; the 256 MiB figure comes from benchmarks/gcs
(fake-gcs-server appends resumable chunks in quadratic time: 256 MiB takes ~50 s there).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

MIB = 1024 * 1024
SIZE = 96 * MIB
LIMIT = 32 * MIB


@pytest.mark.slow
def test_large_write_and_read_keep_rss_growth_under_32_mib(emulator: Any) -> None:
    bucket = emulator.new_bucket()
    probe = Path(__file__).with_name("rss_probe.py")
    done = subprocess.run(
        [sys.executable, str(probe), emulator.url, bucket, str(SIZE)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["written"] == SIZE and figures["read"] == SIZE
    assert figures["write_growth"] < LIMIT, figures
    assert figures["read_growth"] < LIMIT, figures
