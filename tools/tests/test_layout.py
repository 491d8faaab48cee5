"""Every distribution's folder looks the same (CONTRIBUTING.md "Layout"): the same files,
the same pyproject metadata, a test extra, the core pinned by its compatible range."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = sorted(
    [
        *(ROOT / "packages").glob("*/"),
        ROOT / "conformance",
        *(ROOT / "conformance/examples").glob("*/"),
    ]
)
CORE_RANGE = "remote-store-core>=0.1,<0.2"


def _project(folder: Path) -> dict[str, Any]:
    data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    project: dict[str, Any] = data["project"]
    return project


def _import_names(folder: Path) -> list[Path]:
    return [
        p for p in (folder / "src").iterdir() if p.is_dir() and not p.name.endswith(".egg-info")
    ]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_the_folder_has_the_common_files(folder: Path) -> None:
    assert (folder / "pyproject.toml").is_file()
    assert (folder / "README.md").is_file()
    packages = _import_names(folder)
    assert packages, "src/ holds the import package"
    for package in packages:
        assert (package / "__init__.py").is_file(), package
        assert (package / "py.typed").is_file(), f"{package} ships no py.typed"
    assert list((folder / "tests").glob("test_*.py")), "tests/ has test modules"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_the_metadata_follows_the_house_rules(folder: Path) -> None:
    project = _project(folder)
    name = str(project["name"])
    assert name.startswith("remote-store"), name
    assert project.get("requires-python") == ">=3.11", name
    assert project.get("license") == "MIT", name
    assert project.get("readme") == "README.md", name
    assert project.get("description"), name
    assert "test" in project.get("optional-dependencies", {}), f"{name} has no test extra"
    dependencies = [str(d) for d in project.get("dependencies", [])]
    if name != "remote-store-core":
        assert CORE_RANGE in dependencies, f"{name} must pin {CORE_RANGE}"


def test_import_names_follow_the_distribution_names() -> None:
    for folder in (ROOT / "packages").glob("remote-store-*/"):
        expected = folder.name.replace("-", "_")
        if folder.name == "remote-store-core":
            expected = "remote_store"
        names = [p.name for p in _import_names(folder)]
        assert expected in names, (folder.name, names)
