"""The isolation matrix catches what an editable workspace hides."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from remote_store_conformance.servers import server_missing

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "tools" / "matrix.py"


def _matrix(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MATRIX), *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def uv_available() -> None:
    if shutil.which("uv") is None:
        server_missing("uv is not installed")


@pytest.mark.slow
@pytest.mark.usefixtures("uv_available")
def test_matrix_fails_a_plugin_with_an_undeclared_dependency() -> None:
    broken = "tools/tests/broken-plugin"
    build = _matrix("build", "remote-store-core", broken)
    assert build.returncode == 0, build.stdout + build.stderr
    result = _matrix("test", broken)
    assert result.returncode != 0
    assert "No module named 'yaml'" in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.usefixtures("uv_available")
def test_matrix_installs_only_wheels_built_from_this_repository() -> None:
    build = _matrix("build", "remote-store-core")
    assert build.returncode == 0, build.stdout + build.stderr
    result = _matrix("test", "remote-store-core", "--pytest-args=-q -k test_paths")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "passed" in result.stdout


def _load_matrix() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("rs_matrix", MATRIX)
    assert spec is not None and spec.loader is not None
    matrix = importlib.util.module_from_spec(spec)
    sys.modules["rs_matrix"] = matrix  # dataclasses look their module up
    spec.loader.exec_module(matrix)
    return matrix


def test_kit_rules_run_in_isolation_only_in_the_kit_folder_when_asked() -> None:
    from remote_store_conformance._markers import REFUSAL_MARK, RULE_MARK

    matrix = _load_matrix()
    assert set(matrix.KIT_RULE_MARKERS) == {RULE_MARK, REFUSAL_MARK}
    known = matrix.discover()
    s3, kit = known["remote-store-s3"], known["remote-store-conformance"]
    example, yaml = known["remote-store-jsondir"], known["remote-store-yaml"]

    def selection(dist: Any, markers: str, kit_rules: str) -> list[str]:
        closure = matrix.own_closure(dist, known)
        result: list[str] = matrix.pytest_selection(dist, markers, kit_rules, closure)
        return result

    quick = "not slow"
    kit_left_out = "(not slow) and not rs_rule and not rs_refusal"
    assert selection(s3, quick, "own") == ["-m", kit_left_out]
    assert selection(s3, "", "own") == ["-m", "not rs_rule and not rs_refusal"]
    for in_kit in (kit, example):
        assert selection(in_kit, quick, "own") == ["-m", "(not slow)"]
    # the yaml loader's tests do not install the kit: its markers would be unknown there
    assert selection(yaml, quick, "own") == ["-m", "(not slow)"]
    for everywhere in ("", "all"):
        assert selection(s3, quick, everywhere) == ["-m", "(not slow)"]
        assert selection(s3, "", everywhere) == []
    with pytest.raises(SystemExit, match="RS_MATRIX_KIT_RULES"):
        selection(s3, quick, "mine")


def test_tox_ini_and_workflows_cover_every_distribution() -> None:
    matrix = _load_matrix()
    assert (ROOT / "tox.ini").read_text() == matrix.tox_ini(matrix.discover()), (
        "tox.ini is stale: run python tools/matrix.py tox-ini"
    )
    workflows = ROOT / ".github" / "workflows"
    expected = matrix.workflows(matrix.discover())
    assert sorted(p.name for p in workflows.glob("pkg-*.yml")) == sorted(expected)
    for name, text in expected.items():
        assert (workflows / name).read_text() == text, f"{name} is stale: run matrix.py workflows"
