"""Built-in config file loaders, registered as hook implementations: TOML (stdlib tomllib)."""

from __future__ import annotations

import pathlib
import tomllib
from typing import Any

from remote_store.errors import ConfigError
from remote_store.hookspecs import hookimpl

__all__ = ["TOML_SUFFIXES", "remote_store_config_suffixes", "remote_store_load_config"]

TOML_SUFFIXES = (".toml",)


@hookimpl
def remote_store_load_config(path: pathlib.Path) -> dict[str, Any] | None:
    """Parse ``path`` as TOML when its suffix is ``.toml``."""
    if path.suffix.lower() not in TOML_SUFFIXES:
        return None
    return load_toml(path)


@hookimpl
def remote_store_config_suffixes() -> list[str]:
    """The suffixes this module loads."""
    return list(TOML_SUFFIXES)


def load_toml(path: pathlib.Path) -> dict[str, Any]:
    """Read a TOML file; a syntax error is a :class:`ConfigError` naming the file.

    A missing file raises :class:`FileNotFoundError`, as in 0.27.
    """
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message quotes a line and column, never the value itself.
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


#: Which distribution to install for the usual suffixes no built-in loader handles.
SUFFIX_PLUGINS = {".yaml": "remote-store-yaml", ".yml": "remote-store-yaml"}


def load_with_plugins(path: pathlib.Path) -> dict[str, Any]:
    """Parse ``path`` with the first plugin whose ``remote_store_load_config`` handles it."""
    from remote_store._plugins import get_plugin_manager

    hook = get_plugin_manager().hook
    data = hook.remote_store_load_config(path=path)
    if data is not None:
        return data  # type: ignore[no-any-return]
    supported = sorted({s for group in hook.remote_store_config_suffixes() for s in group})
    suffix = path.suffix.lower() or "(no suffix)"
    plugin = SUFFIX_PLUGINS.get(suffix)
    advice = (
        f"install {plugin}"
        if plugin
        else "install a plugin implementing the remote_store_load_config hook "
        "(entry-point group 'remote_store.plugins')"
    )
    raise ConfigError(
        f"{path}: no config loader for {suffix!r} files (supported: {', '.join(supported)}); "
        f"{advice}"
    )
