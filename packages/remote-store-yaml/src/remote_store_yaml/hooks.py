"""Hook implementations: ``RegistryConfig.from_file`` loads ``.yaml``/``.yml`` files."""

from __future__ import annotations

import pathlib
from typing import Any

from remote_store.hookspecs import hookimpl

from remote_store_yaml import load_yaml

SUFFIXES = (".yaml", ".yml")


@hookimpl
def remote_store_load_config(path: pathlib.Path) -> dict[str, Any] | None:
    """Parse YAML files; leave other suffixes to other plugins."""
    if path.suffix.lower() not in SUFFIXES:
        return None
    return load_yaml(path)


@hookimpl
def remote_store_config_suffixes() -> list[str]:
    """The suffixes this plugin loads."""
    return list(SUFFIXES)
