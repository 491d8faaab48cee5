"""``pytest --rs-conformance=azure`` (sync, and async with ``--rs-async``) certifies the
backends against one Azurite container each, shared by every test of the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from remote_store_azure.emulator import ACCOUNT_KEY
from remote_store_conformance.oneshot import QUICK, certify_from_command_line, describe

#: A whole certification run in a subprocess: longer than a unit test.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]


def _options(azurite: Any) -> dict[str, object]:
    return {"container": azurite.new_container(), "connection_string": azurite.connection_string}


def test_one_command_certifies_azure(azurite: Any, tmp_path: Path) -> None:
    run = certify_from_command_line(
        "azure", _options(azurite), tmp_path, *QUICK, f"--rs-secret={ACCOUNT_KEY}"
    )
    assert run.certified, describe(run)


def test_one_command_certifies_async_azure(azurite: Any, tmp_path: Path) -> None:
    run = certify_from_command_line(
        "azure", _options(azurite), tmp_path, "--rs-async", *QUICK, f"--rs-secret={ACCOUNT_KEY}"
    )
    assert run.certified, describe(run)
    assert run.certificate is not None
    assert run.certificate["backend_class"].endswith("AsyncBackendSyncAdapter")
