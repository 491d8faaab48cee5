"""The pluggy hook specifications of remote-store (project name ``remote_store``).

A plugin is a module (or object) with functions decorated by :data:`hookimpl` whose names
are the hooks below. It registers through the ``remote_store.plugins`` entry-point group::

    [project.entry-points."remote_store.plugins"]
    yaml = "remote_store_yaml.plugin"
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from remote_store._events import StoreEvent
    from remote_store._store import Store
    from remote_store.aio._store import AsyncStore

__all__ = [
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "remote_store_config_suffixes",
    "remote_store_load_config",
    "remote_store_store_event",
    "remote_store_wrap_store",
]

#: The pluggy project name shared by specs and implementations.
PROJECT_NAME = "remote_store"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec(firstresult=True)
def remote_store_load_config(path: pathlib.Path) -> dict[str, Any] | None:
    """Parse a config file whose suffix this plugin handles; None when it does not."""


@hookspec
def remote_store_config_suffixes() -> list[str]:  # type: ignore[empty-body]
    """Suffixes this plugin loads (for the error message listing what is supported)."""


@hookspec
def remote_store_store_event(event: StoreEvent) -> None:
    """Called for every store operation observed by remote_store.ext.observe."""


@hookspec
def remote_store_wrap_store(
    store: Store | AsyncStore, profile: str, options: Mapping[str, Any]
) -> Store | AsyncStore | None:
    """At registry construction of a store profile: return a wrapped store, or None.

    ``store`` is a :class:`~remote_store.Store` (``Registry.get_store``) or an
    :class:`~remote_store.aio.AsyncStore` (``Registry.get_async_store``); return a
    wrapper of the same flavour. ``options`` is the profile's options table.
    """
