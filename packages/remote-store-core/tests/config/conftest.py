"""Fixtures of the config tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from remote_store import _discovery, _plugins
from remote_store._backend_types import _global_factories


@pytest.fixture(autouse=True)
def _clean_process_state() -> Iterator[None]:
    """No test leaks register_backend entries, plugins or cached entry points."""
    saved = dict(_global_factories)
    yield
    _global_factories.clear()
    _global_factories.update(saved)
    _plugins.reset_plugin_manager()
    _discovery.refresh()
