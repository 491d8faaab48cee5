"""``./dev types`` (tools/typecheck.py) covers every tests folder of the repository, each in a
mypy run of its own distribution, with the module bases its imports need."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_PARTS = {"node_modules", ".venvs", ".matrix", ".tox", "broken-plugin"}


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rs_typecheck", ROOT / "tools" / "typecheck.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


typecheck = _load()


def _source_folders() -> list[Path]:
    """Every folder of the checkout but hidden ones, virtual environments and fixtures."""
    found = []
    for top, dirs, _ in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_PARTS)
        found.append(Path(top))
    return found


def _tests_folders() -> list[str]:
    """Every ``tests`` folder holding Python files, found on disk (not from the script)."""
    return sorted(
        f.relative_to(ROOT).as_posix()
        for f in _source_folders()
        if f.name == "tests" and any(f.rglob("*.py"))
    )


def test_every_tests_folder_is_type_checked() -> None:
    targets = {t for unit in typecheck.distributions() for t in unit.targets}
    folders = _tests_folders()
    assert "packages/remote-store-core/tests" in folders and "tools/tests" in folders
    missing = [f for f in folders if f not in targets]
    assert missing == [], f"tests folders no mypy run checks: {missing}"
    assert not typecheck.TESTS_NOT_YET_CHECKED, "a distribution's tests went unchecked again"


def test_the_examples_and_the_benchmarks_are_type_checked() -> None:
    targets = {t for unit in typecheck.distributions() for t in unit.targets}
    assert {"examples", "benchmarks"} <= targets


def test_each_run_has_its_distribution_as_the_base_of_its_tests() -> None:
    units = typecheck.distributions()
    for unit in units:
        for target in unit.targets:
            # the tests are the package ``tests`` (for ``from .conftest import ...``), the
            # sources their import packages: both folders are module bases of the run
            base = str(Path(target).parent) if target.endswith("/tests") else target
            assert base in unit.bases or target.endswith(".py"), (unit.folder, target)
    assert len({u.folder for u in units}) == len(units)


def test_folders_a_conftest_puts_on_sys_path_are_module_bases() -> None:
    bases = {b for unit in typecheck.distributions() for b in unit.bases}
    conftests = [f / "conftest.py" for f in _source_folders() if (f / "conftest.py").is_file()]
    assert len(conftests) > 10
    for conftest in conftests:
        relative = conftest.parent.relative_to(ROOT).as_posix()
        if "sys.path.insert" in conftest.read_text(encoding="utf-8"):
            assert relative in bases, f"{relative}: its bare imports need a module base"


def test_distributions_are_selected_by_name_or_folder() -> None:
    units = typecheck.distributions()
    (by_name,) = typecheck.select(units, ["remote-store-s3"])
    (by_folder,) = typecheck.select(units, ["packages/remote-store-s3/"])
    assert by_name == by_folder and by_name.folder == "packages/remote-store-s3"
    assert typecheck.select(units, []) == units
    with pytest.raises(SystemExit, match="unknown distribution"):
        typecheck.select(units, ["remote-store-nope"])
