"""Addresses: ``PROFILE:path`` in a configured store, or a local path.

A profile name has at least two characters (so ``C:`` stays a local path) made of
letters, digits, ``_``, ``.`` and ``-``. Any other text is a local path, made absolute
against the current folder; ``./name:with:colons`` forces a local reading.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from remote_store import Registry, RegistryConfig, Store
from remote_store.backend import normalize_key
from remote_store.backends import LocalBackend
from remote_store.errors import ConfigError, InvalidPath, UnknownStore

__all__ = ["Address", "Resolver", "find_config"]

_PROFILE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]+):(.*)$", re.DOTALL)
CONFIG_ENV = "REMOTE_STORE_CONFIG"
DEFAULT_CONFIG = "remote-store.toml"


@dataclass(frozen=True)
class Address:
    """A resolved address: the store, the store-relative path (``""`` is the root), the
    text the user gave, and whether it is on the local disk."""

    store: Store
    path: str
    text: str
    local: bool

    @property
    def name(self) -> str:
        """The last path segment (``""`` for a root)."""
        return self.path.rsplit("/", 1)[-1]

    def join(self, relative: str) -> str:
        """``path/relative``."""
        return f"{self.path}/{relative}" if self.path else relative


def find_config(explicit: str | None) -> Path | None:
    """``--config``, else ``$REMOTE_STORE_CONFIG``, else ``./remote-store.toml`` if present."""
    for source, value in (("--config", explicit), (CONFIG_ENV, os.environ.get(CONFIG_ENV))):
        if value:
            path = Path(value)
            if not path.is_file():
                raise ConfigError(f"config file not found ({source}): {value}")
            return path
    default = Path(DEFAULT_CONFIG)
    return default if default.is_file() else None


def _store_path(raw: str) -> str:
    """A store-relative path; ``""``, ``.`` and ``/`` are the root; ``..`` is refused."""
    if raw.replace("\\", "/").strip("/") in ("", "."):
        return ""
    return normalize_key(raw)


class Resolver:
    """Turns address texts into :class:`Address` objects; opens the config on first use."""

    def __init__(self, config: str | None) -> None:
        self._config_arg = config
        self._registry: Registry | None = None
        self._local: Store | None = None

    def registry(self) -> Registry:
        """The registry of the config file (``ConfigError`` when there is none)."""
        if self._registry is None:
            path = find_config(self._config_arg)
            if path is None:
                raise ConfigError(
                    f"no config file: pass --config FILE, set {CONFIG_ENV}, "
                    f"or create ./{DEFAULT_CONFIG}"
                )
            self._registry = Registry(RegistryConfig.from_file(path, resolve_env_vars=True))
        return self._registry

    def local_store(self) -> Store:
        """One store over the whole local file system (local copies stay server-side)."""
        if self._local is None:
            self._local = Store(LocalBackend(os.path.abspath(os.sep)))
        return self._local

    def resolve(self, text: str) -> Address:
        """The :class:`Address` of ``text``."""
        if not isinstance(text, str) or text == "":
            raise InvalidPath("empty address", path=str(text))
        match = _PROFILE.match(text)
        if match is not None:
            profile, raw = match.groups()
            try:
                store = self.registry().get_store(profile)
            except UnknownStore as exc:
                raise UnknownStore(
                    f"{exc.message}; for a local path containing ':' write ./{text}"
                ) from None
            return Address(store, _store_path(raw), text, local=False)
        absolute = os.path.abspath(os.path.expanduser(text))
        key = absolute.replace(os.sep, "/").lstrip("/")
        return Address(self.local_store(), _store_path(key), text, local=True)

    def close(self) -> None:
        """Close the registry's backends and the local store."""
        if self._registry is not None:
            self._registry.close()
        if self._local is not None:
            self._local.close()
