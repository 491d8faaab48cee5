"""The meta distribution's dependencies and extras (COMPAT decision 5)."""

from __future__ import annotations

import pathlib
import re
import tomllib

PACKAGES = pathlib.Path(__file__).resolve().parents[2]
META = tomllib.loads((PACKAGES / "remote-store" / "pyproject.toml").read_text())["project"]


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None
    return match.group(0)


def test_base_install_is_core_plus_http_when_http_exists() -> None:
    """0.27's base install (core, HTTP) plus the command line (docs/cli.md says why)."""
    names = {requirement_name(r) for r in META["dependencies"]}
    expected = {"remote-store-core"}
    for extra in ("remote-store-http", "remote-store-cli"):
        if (PACKAGES / extra / "pyproject.toml").exists():
            expected.add(extra)
    assert names == expected


def test_every_plugin_distribution_in_the_repo_has_an_extra() -> None:
    extras = {
        requirement_name(req)
        for name, reqs in META["optional-dependencies"].items()
        if name not in ("test", "all")
        for req in reqs
    }
    in_repo = {p.name for p in PACKAGES.iterdir() if (p / "pyproject.toml").exists()}
    base = {requirement_name(r) for r in META["dependencies"]}
    plugins = in_repo - {"remote-store"} - base
    assert plugins <= extras


def test_extras_of_0_27_exist() -> None:
    wanted = {
        "s3",
        "s3-pyarrow",
        "azure",
        "sftp",
        "sql",
        "sql-query",
        "arrow",
        "otel",
        "yaml",
        "pydantic",
        "dagster",
        "toml",
        "requests",
        "httpx",
    }
    assert wanted <= set(META["optional-dependencies"])


def test_every_requirement_pins_the_0_1_series() -> None:
    requirements = list(META["dependencies"])
    for name, reqs in META["optional-dependencies"].items():
        if name not in ("test", "all"):
            requirements += reqs
    assert all(r.endswith(">=0.1,<0.2") for r in requirements)
