"""The process-wide pluggy :class:`~pluggy.PluginManager` of remote-store, built lazily."""

from __future__ import annotations

import logging
import threading
from importlib import import_module

import pluggy

from remote_store import hookspecs
from remote_store._discovery import PLUGIN_GROUP

__all__ = ["BUILTIN_PLUGIN_MODULES", "get_plugin_manager", "reset_plugin_manager"]

_log = logging.getLogger("remote_store.plugins")

#: Modules of this distribution that carry ``@hookimpl`` functions. The first is always
#: present; the extension modules are registered when they can be imported.
BUILTIN_PLUGIN_MODULES: tuple[str, ...] = (
    "remote_store._config_loaders",
    "remote_store.ext.cache",
    "remote_store.ext.observe",
)

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
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGIN_MODULES:
        try:
            module = import_module(module_name)
        except ImportError as exc:
            if exc.name is None or not module_name.startswith(exc.name):
                raise  # the module exists but one of its own imports failed
            _log.debug("built-in plugin module %s not available", module_name)
            continue
        manager.register(module, name=module_name)
    manager.load_setuptools_entrypoints(PLUGIN_GROUP)
    return manager
