"""Public view of plugin discovery: entry-point groups, providers, and cache resets.

Tools that list or certify backends (the conformance kit, ``remote_store.info()``) and
tests that install plugins at run time use these names instead of private modules.
"""

from __future__ import annotations

from remote_store._discovery import (
    ASYNC_BACKEND_GROUP,
    BACKEND_GROUP,
    PLUGIN_GROUP,
    Provider,
    backend_providers,
    install_hint,
    load_backend_class,
    providers,
    refresh,
)

__all__ = [
    "ASYNC_BACKEND_GROUP",
    "BACKEND_GROUP",
    "PLUGIN_GROUP",
    "Provider",
    "backend_providers",
    "install_hint",
    "load_backend_class",
    "providers",
    "refresh",
    "reset_plugin_manager",
]


def reset_plugin_manager() -> None:
    """Forget the cached pluggy manager and entry points (after installing a plugin)."""
    from remote_store._plugins import reset_plugin_manager as reset

    refresh()
    reset()
