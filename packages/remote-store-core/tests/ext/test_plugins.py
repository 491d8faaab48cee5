"""A throwaway plugin distribution, found through its entry point, receives store events."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from remote_store import Store
from remote_store._plugins import get_plugin_manager, reset_plugin_manager
from remote_store.ext.observe import observe

PLUGIN_SOURCE = '''
"""A plugin recording every store event it is given."""
from remote_store.hookspecs import hookimpl

EVENTS = []


@hookimpl
def remote_store_store_event(event):
    EVENTS.append((event.operation, event.path, dict(event.metadata)))
'''

BROKEN_PLUGIN_SOURCE = """
from remote_store.hookspecs import hookimpl


@hookimpl
def remote_store_store_event(event):
    raise RuntimeError("plugin bug")
"""


def _install(site: Path, dist: str, module: str, source: str) -> None:
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[remote_store.plugins]\n{module} = {module}\n")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    """A folder on ``sys.path`` that plugin distributions are installed into."""
    folder = tmp_path / "site"
    folder.mkdir()
    sys.path.insert(0, str(folder))
    reset_plugin_manager()
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.startswith("rs_test_plugin")]:
            del sys.modules[name]
        reset_plugin_manager()


def test_entry_point_plugin_receives_events(site: Path, store: Store) -> None:
    _install(site, "rs-test-plugin-events", "rs_test_plugin_events", PLUGIN_SOURCE)
    manager = get_plugin_manager()
    plugin = sys.modules["rs_test_plugin_events"]
    assert manager.is_registered(plugin)
    observed = observe(store)  # no callbacks: events go to plugins only
    observed.write("a.txt", b"abc")
    list(observed.list_files(""))
    store.read_bytes("a.txt")  # a plain store is not observed
    assert plugin.EVENTS == [
        ("write", "a.txt", {"bytes": 3}),
        ("list_files", "", {"entries": 1, "completed": True}),
    ]


def test_a_failing_plugin_does_not_break_the_store(
    site: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    _install(site, "rs-test-plugin-broken", "rs_test_plugin_broken", BROKEN_PLUGIN_SOURCE)
    observed = observe(store)
    observed.write("a.txt", b"abc")
    assert observed.read_bytes("a.txt") == b"abc"
    assert any("plugin" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


def test_built_in_wrap_hooks_are_registered() -> None:
    reset_plugin_manager()
    try:
        names = {manager_name for manager_name, _ in get_plugin_manager().list_name_plugin()}
        assert {"remote_store.ext.cache", "remote_store.ext.observe"} <= names
        impls = get_plugin_manager().hook.remote_store_wrap_store.get_hookimpls()
        assert {impl.plugin_name for impl in impls} >= {
            "remote_store.ext.cache",
            "remote_store.ext.observe",
        }
    finally:
        reset_plugin_manager()
