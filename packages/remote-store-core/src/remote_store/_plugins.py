"""The process-wide pluggy :class:`~pluggy.PluginManager` of remote-store, built lazily."""

from __future__ import annotations

import logging
import threading

import pluggy

from remote_store import hookspecs
from remote_store._discovery import PLUGIN_GROUP

__all__ = ["get_plugin_manager", "reset_plugin_manager"]

_log = logging.getLogger("remote_store.plugins")

_lock = threading.Lock()
_manager: pluggy.PluginManager | None = None


def get_plugin_manager() -> pluggy.PluginManager:
    """The one cached plugin manager: built-in hook implementations, then entry points."""
    global _manager
    with _lock:
        if _manager is None:
            _manager = _build_manager()
        return _manager


def reset_plugin_manager() -> None:
    """Forget the cached manager (tests, or after installing a plugin at run time)."""
    global _manager
    with _lock:
        _manager = None


def _build_manager() -> pluggy.PluginManager:
    # Every plugin, the core's own hook modules included (TOML loading, the cache and
    # observe wrappers), comes from the ``remote_store.plugins`` entry points.
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    loaded = manager.load_setuptools_entrypoints(PLUGIN_GROUP)
    _log.debug("%d remote-store plugins loaded from entry points", loaded)
    return manager
