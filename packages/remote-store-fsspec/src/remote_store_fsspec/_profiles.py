"""Store profiles named in ``remote-store://PROFILE/...`` URLs, from a config file."""

from __future__ import annotations

import os
import threading

from remote_store import Registry, RegistryConfig, Store
from remote_store.errors import ConfigError

__all__ = ["CONFIG_VARIABLE", "config_path", "profile_store"]

#: The environment variable naming the config file when ``config=`` is not given.
CONFIG_VARIABLE = "REMOTE_STORE_CONFIG"

_lock = threading.Lock()
_registries: dict[tuple[str, int, int], Registry] = {}


def config_path(config: str | os.PathLike[str] | None) -> str:
    """The config file to use: ``config``, else ``$REMOTE_STORE_CONFIG``."""
    chosen = os.fspath(config) if config is not None else os.environ.get(CONFIG_VARIABLE)
    if not chosen:
        raise ConfigError(
            "remote-store:// URLs need a config file: pass storage_options={'config': FILE} "
            f"or set the {CONFIG_VARIABLE} environment variable"
        )
    return os.path.abspath(chosen)


def profile_store(config: str | os.PathLike[str] | None, profile: str) -> Store:
    """The store ``profile`` of the config file (one registry per file version, kept for
    the process so that clients are reused; ``${VAR}`` placeholders are resolved)."""
    path = config_path(config)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    key = (path, stat.st_mtime_ns, stat.st_size)
    with _lock:
        registry = _registries.get(key)
        if registry is None:
            registry = Registry(RegistryConfig.from_file(path, resolve_env_vars=True))
            _registries[key] = registry
    return registry.get_store(profile)
