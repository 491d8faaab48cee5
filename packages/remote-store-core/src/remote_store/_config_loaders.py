"""Built-in config file loaders, registered as hook implementations: TOML (stdlib tomllib)."""

from __future__ import annotations

import pathlib
import tomllib
from typing import Any

from remote_store.errors import ConfigError
from remote_store.hookspecs import hookimpl

__all__ = [
    "MAX_CONFIG_BYTES",
    "TOML_SUFFIXES",
    "remote_store_config_suffixes",
    "remote_store_load_config",
]

TOML_SUFFIXES = (".toml",)

#: The largest config file read (4 MiB): a real one is a few kilobytes; a larger one is
#: refused before parsing, so that a hostile file costs no parse time at all.
MAX_CONFIG_BYTES = 4 * 1024 * 1024


def _too_large(path: pathlib.Path) -> ConfigError:
    return ConfigError(
        f"{path}: config file larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB (refused unread)"
    )


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
    """Read a TOML file; any failure but a missing file is a :class:`ConfigError`
    naming the file (bad syntax, bad UTF-8, too deep nesting, a folder, no permission).

    A missing file raises :class:`FileNotFoundError`, as in 0.27.
    """
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise _too_large(path)
        return tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message quotes a line and column, never the value itself.
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except RecursionError:
        raise ConfigError(f"{path}: tables or arrays nest too deeply") from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None


#: Which distribution to install for the usual suffixes no built-in loader handles.
SUFFIX_PLUGINS = {".yaml": "remote-store-yaml", ".yml": "remote-store-yaml"}


def load_with_plugins(path: pathlib.Path) -> dict[str, Any]:
    """Parse ``path`` with the first plugin whose ``remote_store_load_config`` handles it."""
    from remote_store._plugins import get_plugin_manager

    hook = get_plugin_manager().hook
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder, not a config file")
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise _too_large(path)
        data = hook.remote_store_load_config(path=path)
    except (ConfigError, FileNotFoundError):
        raise
    except RecursionError:
        raise ConfigError(f"{path}: tables or arrays nest too deeply") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None
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
