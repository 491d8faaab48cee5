"""Import an optional extension's distribution for its 0.27 path ``remote_store.ext.<name>``."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType


def load_extension(name: str) -> ModuleType:
    """The module behind ``remote_store.ext.<name>``, as the plugin table names it."""
    from remote_store._plugin_table import extension

    known = extension(name)
    return load_optional(known.module, known.distribution, f"remote_store.ext.{name}")


def load_optional(module: str, distribution: str, public: str) -> ModuleType:
    """Import ``module`` or raise an ``ImportError`` naming the distribution to install."""
    try:
        return import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module.startswith(exc.name):
            raise
        raise ImportError(
            f"{public} needs the {distribution} distribution: pip install {distribution}",
            name=public,
        ) from None
