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
    """Read a TOML file; a syntax error is a :class:`ConfigError` naming the file."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message quotes a line and column, never the value itself.
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
