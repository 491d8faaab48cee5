"""Plugins, the kit, examples and docs import only the core's public modules.

A plugin that needs a core name that is not public is a missing SDK name
(``remote_store.backend``), never a reason to reach into ``remote_store._*``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "packages" / "remote-store-core"
_FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_PRIVATE_STRING = re.compile(r"\bremote_store(?:\.[a-z_]+)*\._[a-z]")


def _is_private(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "remote_store" and any(part.startswith("_") for part in parts[1:])


def private_imports(source: str) -> list[str]:
    """Every private ``remote_store`` module that ``source`` imports or names in a string."""
    found: list[str] = []
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a docs fragment: fall back to the text
        return _PRIVATE_STRING.findall(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _is_private(node.module):
                found.append(node.module)
            elif node.module.split(".")[0] == "remote_store":
                found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_private(alias.name)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += _PRIVATE_STRING.findall(node.value)
    return found


def _plugin_sources() -> list[Path]:
    roots = [ROOT / "packages", ROOT / "conformance", ROOT / "examples", ROOT / "benchmarks"]
    files: list[Path] = []
    for root in roots:
        for path in root.rglob("*.py"):
            if CORE in path.parents or ".venvs" in path.parts:
                continue
            files.append(path)
    return sorted(files)


def test_the_scan_sees_every_spelling_of_a_private_import() -> None:
    source = (
        "from remote_store._store import Store\n"
        "import remote_store._secret\n"
        "from remote_store.aio._backend import AsyncBackend\n"
        "from remote_store import _env\n"
        "x = 'remote_store._plugins.reset_plugin_manager'\n"
        "from remote_store.backend import Backend\n"
        "from remote_store_s3._errors import classify\n"
    )
    assert private_imports(source) == [
        "remote_store._store",
        "remote_store._secret",
        "remote_store.aio._backend",
        "remote_store._env",
        "remote_store._p",
    ]


def test_plugins_kit_and_examples_import_only_public_core_modules() -> None:
    files = _plugin_sources()
    assert len(files) > 100  # the scan really walks the plugin packages
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := private_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize("page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda p: p.name)
def test_docs_examples_import_only_public_core_modules(page: Path) -> None:
    for block in _FENCE.findall(page.read_text(encoding="utf-8")):
        assert private_imports(block) == [], page.name
