"""The plugin table (``remote_store._plugin_table``) agrees with the distributions here:
every backend type a package registers has its row, with that package as provider, and
every extension row names a module its distribution really ships."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from remote_store import _plugin_table

ROOT = Path(__file__).resolve().parents[2]


def _pyprojects() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted((ROOT / "packages").glob("*/pyproject.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found[data["project"]["name"]] = data
    return found


def test_every_registered_backend_type_has_its_row() -> None:
    checked = 0
    for name, data in _pyprojects().items():
        entry_points = data["project"].get("entry-points", {})
        for type_name in entry_points.get("remote_store.backends", {}):
            assert _plugin_table.PLUGIN_DISTRIBUTIONS.get(type_name) == name, type_name
            checked += 1
    assert checked >= 10


def test_every_extension_row_names_a_module_of_its_distribution() -> None:
    for ext in _plugin_table.EXTENSIONS.values():
        package = ROOT / "packages" / ext.distribution
        module_path = package / "src" / Path(*ext.module.split("."))
        assert module_path.with_suffix(".py").is_file() or (module_path / "__init__.py").is_file()
        assert (
            ROOT
            / "packages"
            / "remote-store-core"
            / "src"
            / "remote_store"
            / "ext"
            / f"{ext.name}.py"
        ).is_file()


def test_every_meta_extra_named_by_a_row_exists() -> None:
    meta = _pyprojects()["remote-store"]
    extras = set(meta["project"]["optional-dependencies"])
    for row in _plugin_table.KNOWN_PLUGINS:
        if row.extra and (ROOT / "packages" / row.distribution).is_dir():
            assert row.extra in extras or row.distribution == "remote-store-http", row
