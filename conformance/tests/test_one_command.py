"""The built-in backends certified from the one-command mode, each a line in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from remote_store_conformance.oneshot import QUICK, certify_from_command_line, describe

#: A whole certification run in a subprocess: longer than a unit test.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]


def test_one_command_certifies_memory(tmp_path: Path) -> None:
    run = certify_from_command_line("memory", {}, tmp_path, *QUICK)
    assert run.certified, describe(run)
    assert run.certificate is not None
    assert run.certificate["in_process_storage"] is True  # the bounded-memory rule adapted


def test_one_command_certifies_local(tmp_path: Path) -> None:
    run = certify_from_command_line("local", {"root": "{tmp}/data"}, tmp_path, *QUICK)
    assert run.certified, describe(run)


def test_one_command_certifies_local_on_one_shared_folder(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    run = certify_from_command_line("local", {"root": str(shared)}, work, *QUICK)
    assert run.certified, describe(run)
    assert list(shared.iterdir()) == []  # every test cleaned up, even those closing early


def test_one_command_under_xdist_writes_the_worker_certificate(tmp_path: Path) -> None:
    # the controller of `pytest -n 2` sees no rule results: the worker that ran the class
    # writes its certificate, the same as a serial run
    run = certify_from_command_line("memory", {}, tmp_path, *QUICK, "-n", "2", "--dist=loadscope")
    assert run.certified, describe(run)
    assert run.certificate is not None and run.certificate["summary"]["passed"] > 100
