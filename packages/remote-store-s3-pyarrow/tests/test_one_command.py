"""``pytest --rs-conformance=s3-pyarrow`` certifies the backend against moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from remote_store_conformance.oneshot import QUICK, certify_from_command_line, describe

SECRET = "one-command-secret"

#: A whole certification run in a subprocess: longer than a unit test.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]


def test_one_command_certifies_s3_pyarrow(moto_process: Any, tmp_path: Path) -> None:
    options = {
        "bucket": moto_process.new_bucket(),
        "endpoint_url": moto_process.url,
        "key": "x",
        "secret": SECRET,
    }
    run = certify_from_command_line(
        "s3-pyarrow", options, tmp_path, *QUICK, f"--rs-secret={SECRET}"
    )
    assert run.certified, describe(run)
