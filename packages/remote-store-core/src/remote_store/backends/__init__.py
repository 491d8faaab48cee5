"""Backends: ``LocalBackend`` and ``MemoryBackend`` ship with the core; the 0.27 names of
plugin backends (``S3Backend``, ``SFTPBackend``...) resolve through entry points when
their distribution is installed and otherwise raise an ``ImportError`` naming it."""

from __future__ import annotations

from typing import Any

from remote_store._backend import Backend
from remote_store.backends._local import LocalBackend
from remote_store.backends._memory import MemoryBackend

__all__ = ["Backend", "LocalBackend", "MemoryBackend"]


def __getattr__(name: str) -> Any:
    from remote_store._plugin_table import LEGACY_BACKEND_NAMES

    type_name = LEGACY_BACKEND_NAMES.get(name)
    if type_name is None:
        raise AttributeError(f"module 'remote_store.backends' has no attribute {name!r}")
    from remote_store import _discovery
    from remote_store.errors import UnknownBackendType

    try:
        module = _discovery.load_module_of(type_name)
    except UnknownBackendType:
        raise ImportError(
            f"{name} needs the {type_name!r} backend: {_discovery.install_hint(type_name)}",
            name=name,
        ) from None
    return getattr(module, name)


def __dir__() -> list[str]:
    from remote_store._plugin_table import LEGACY_BACKEND_NAMES

    return sorted([*__all__, *LEGACY_BACKEND_NAMES])
