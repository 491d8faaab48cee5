"""The pluggy hook system: specs, the cached manager, built-in TOML loader, entry points."""

from __future__ import annotations

import pathlib
import subprocess
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pluggy
import pytest
from remote_store import _plugins, hookspecs
from remote_store._store import Store
from remote_store.backends._memory import MemoryBackend


@pytest.fixture
def manager() -> Iterator[pluggy.PluginManager]:
    _plugins.reset_plugin_manager()
    yield _plugins.get_plugin_manager()
    _plugins.reset_plugin_manager()


def test_hookspecs_use_the_remote_store_project_name() -> None:
    assert hookspecs.hookspec.project_name == "remote_store"
    assert hookspecs.hookimpl.project_name == "remote_store"


def test_manager_exposes_exactly_the_four_hooks(manager: pluggy.PluginManager) -> None:
    names = {n for n in dir(manager.hook) if n.startswith("remote_store_")}
    assert names == {
        "remote_store_load_config",
        "remote_store_config_suffixes",
        "remote_store_store_event",
        "remote_store_wrap_store",
    }


def test_manager_is_cached_until_reset(manager: pluggy.PluginManager) -> None:
    assert _plugins.get_plugin_manager() is manager
    _plugins.reset_plugin_manager()
    assert _plugins.get_plugin_manager() is not manager


def test_builtin_toml_loader_is_registered(
    manager: pluggy.PluginManager, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[backends.a]\ntype = "memory"\n')
    suffixes = [s for group in manager.hook.remote_store_config_suffixes() for s in group]
    assert ".toml" in suffixes
    assert manager.hook.remote_store_load_config(path=path) == {
        "backends": {"a": {"type": "memory"}}
    }


def test_load_config_returns_none_for_unhandled_suffix(
    manager: pluggy.PluginManager, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "c.ini"
    path.write_text("[x]\n")
    assert manager.hook.remote_store_load_config(path=path) is None


def test_registered_plugin_can_wrap_a_store(manager: pluggy.PluginManager) -> None:
    class Wrapper:
        @hookspecs.hookimpl
        def remote_store_wrap_store(
            self, store: Store, profile: str, options: Mapping[str, Any]
        ) -> Store | None:
            return Store(MemoryBackend()) if options.get("wrap") else None

    manager.register(Wrapper())
    store = Store(MemoryBackend())
    results = manager.hook.remote_store_wrap_store(store=store, profile="p", options={"wrap": 1})
    assert len(results) == 1
    assert isinstance(results[0], Store)


def test_importing_remote_store_does_not_import_pluggy() -> None:
    code = "import sys, remote_store; print('pluggy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
