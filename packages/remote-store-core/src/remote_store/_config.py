"""The configuration model: backends and store profiles, loaded strictly (COMPAT 4).

``RegistryConfig.from_dict`` refuses unknown keys at every level (with a did-you-mean),
wrong types (naming the config path, ``$.backends.s3.options``), a backend without
``type``, a store naming an unknown backend, bad retry values, and options the backend's
constructor does not take (checked at load time when the type is installed). Secret
options are wrapped in :class:`~remote_store.Secret` as the config is built.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from remote_store._backend_types import check_backend_options, try_resolve_backend_class
from remote_store._config_schema import (
    ConfigTypeError,
    MissingConfigKey,
    check_depth,
    check_keys,
    did_you_mean,
    expect_optional_table,
    expect_str,
    expect_table,
    kind_of,
    with_source,
)
from remote_store._option_types import declared_options, wrap_declared
from remote_store._retry import RetryPolicy
from remote_store._secret import redact_value, wrap_secrets
from remote_store.errors import ConfigError

__all__ = ["BackendConfig", "RegistryConfig", "StoreProfile"]

_TOP_KEYS = ("backends", "stores")
_BACKEND_KEYS = ("type", "options", "retry")
_STORE_KEYS = ("backend", "root_path", "root", "options")
_RETRY_KEYS = tuple(f.name for f in fields(RetryPolicy))


@dataclass(frozen=True)
class BackendConfig:
    """One named backend: its ``type`` (an entry-point name), constructor ``options`` and
    an optional :class:`RetryPolicy`. Secret options are wrapped on construction."""

    type: str
    options: dict[str, Any] = field(default_factory=dict)
    retry: RetryPolicy | None = None

    def __post_init__(self) -> None:
        expect_str(self.type, "type", empty_ok=False)
        options = expect_optional_table(self.options, "options")
        check_depth(options, "options")
        object.__setattr__(self, "options", wrap_declared(options, _declared_for(self.type)))
        if self.retry is not None and not isinstance(self.retry, RetryPolicy):
            raise ConfigTypeError(f"retry: expected a RetryPolicy, got a {kind_of(self.retry)}")

    def __repr__(self) -> str:
        return (
            f"BackendConfig(type={self.type!r}, options={redact_value(self.options)!r}, "
            f"retry={self.retry!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with secrets by reference; an inline one raises ``SecretNotPicklable``."""
        from remote_store._pickling import check_options_picklable

        check_options_picklable(self.options, "options")
        return (BackendConfig, (self.type, self.options, self.retry))


@dataclass(frozen=True)
class StoreProfile:
    """One named store: the backend it uses, a root folder in it, and ``options``
    handed to the ``remote_store_wrap_store`` hook (cache, observe, ...)."""

    backend: str
    root_path: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        expect_str(self.backend, "backend", empty_ok=False)
        object.__setattr__(self, "root_path", expect_str(self.root_path or "", "root_path"))
        options = expect_optional_table(self.options, "options")
        check_depth(options, "options")
        object.__setattr__(self, "options", wrap_secrets(options))

    def __repr__(self) -> str:
        return (
            f"StoreProfile(backend={self.backend!r}, root_path={self.root_path!r}, "
            f"options={redact_value(self.options)!r})"
        )


@dataclass(frozen=True)
class RegistryConfig:
    """Named backends and store profiles: the input of a :class:`~remote_store.Registry`."""

    backends: dict[str, BackendConfig] = field(default_factory=dict)
    stores: dict[str, StoreProfile] = field(default_factory=dict)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with secrets by reference, never masked: an inline secret raises
        :class:`~remote_store.errors.SecretNotPicklable` naming its config path."""
        from remote_store._pickling import check_options_picklable

        for name, backend in self.backends.items():
            check_options_picklable(backend.options, f"$.backends.{name}.options")
        for name, profile in self.stores.items():
            check_options_picklable(profile.options, f"$.stores.{name}.options")
        return (RegistryConfig, (self.backends, self.stores))

    def validate(self) -> None:
        """Raise :class:`ConfigError` when a store names a backend that is not configured."""
        for name, profile in self.stores.items():
            if profile.backend not in self.backends:
                hint = did_you_mean(profile.backend, self.backends)
                known = ", ".join(sorted(self.backends)) or "none"
                raise ConfigError(
                    f"$.stores.{name}.backend: unknown backend {profile.backend!r}{hint}; "
                    f"configured backends: {known}"
                )

    def check_options(self, overrides: Mapping[str, Any] | None = None) -> None:
        """Check each backend's options against its constructor, for installed types."""
        for name, backend in self.backends.items():
            factory = try_resolve_backend_class(backend.type, overrides)
            if factory is not None:
                check_backend_options(factory, backend.options, backend.retry, f"$.backends.{name}")

    # -- loading ----------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegistryConfig:
        """Build and validate a config from plain data (as parsed from TOML/YAML/JSON).

        Placeholders are not resolved here: call :func:`~remote_store.resolve_env`
        first, or use ``from_toml(..., resolve_env_vars=True)``.
        """
        table = expect_table(data, "$")
        check_depth(table, "$")
        check_keys(table, _TOP_KEYS, "$")
        backends_table = expect_optional_table(table.get("backends"), "$.backends")
        stores_table = expect_optional_table(table.get("stores"), "$.stores")
        config = cls(
            backends={
                name: _backend_from(entry, f"$.backends.{name}")
                for name, entry in backends_table.items()
            },
            stores={
                name: _store_from(entry, f"$.stores.{name}") for name, entry in stores_table.items()
            },
        )
        config.validate()
        config.check_options()
        return config

    @classmethod
    def from_toml(
        cls,
        path: str | os.PathLike[str],
        *,
        table: Sequence[str] = (),
        resolve_env_vars: bool = False,
    ) -> RegistryConfig:
        """Load a TOML file; ``table=("tool", "remote-store")`` reads a sub-table (pyproject)."""
        from remote_store._config_loaders import load_toml

        file_path = pathlib.Path(path)
        data: Any = load_toml(file_path)
        keys = (table,) if isinstance(table, str) else tuple(table)
        for depth, key in enumerate(keys):
            if not isinstance(data, Mapping) or key not in data:
                wanted = ".".join(keys[: depth + 1])
                raise ConfigError(f"{file_path}: no table [{wanted}]")
            data = data[key]
        try:
            return cls._from_loaded(data, resolve_env_vars)
        except ConfigError as exc:
            raise with_source(exc, file_path) from None

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, resolve_env_vars: bool = False
    ) -> RegistryConfig:
        """Load a config file through the ``remote_store_load_config`` hook (by suffix).

        TOML is built in; YAML comes with ``remote-store-yaml``, other formats with any
        plugin registered in the ``remote_store.plugins`` entry-point group.
        """
        from remote_store._config_loaders import load_with_plugins

        file_path = pathlib.Path(path)
        data = load_with_plugins(file_path)
        try:
            return cls._from_loaded(data, resolve_env_vars)
        except ConfigError as exc:
            raise with_source(exc, file_path) from None

    @classmethod
    def _from_loaded(cls, data: Any, resolve_env_vars: bool) -> RegistryConfig:
        table = expect_table(data, "$")
        check_depth(table, "$")
        if resolve_env_vars:
            from remote_store._env import resolve_env

            table = resolve_env(table)
        return cls.from_dict(table)


def _declared_for(type_name: str) -> Any:
    """The declared option types of an installed backend type, ``None`` if unknown."""
    try:
        factory = try_resolve_backend_class(type_name)
    except Exception:  # a broken or ambiguous plugin: patterns decide, loading reports it
        return None
    return declared_options(factory) if factory is not None else None


def _backend_from(entry: object, path: str) -> BackendConfig:
    table = expect_table(entry, path)
    check_keys(table, _BACKEND_KEYS, path)
    if "type" not in table:
        raise MissingConfigKey(f"{path}: missing required key 'type'")
    type_name = expect_str(table["type"], f"{path}.type", empty_ok=False)
    options = expect_optional_table(table.get("options"), f"{path}.options")
    return BackendConfig(
        type=type_name, options=dict(options), retry=_retry_from(table.get("retry"), path)
    )


def _retry_from(value: object, backend_path: str) -> RetryPolicy | None:
    path = f"{backend_path}.retry"
    if value is None or isinstance(value, RetryPolicy):
        return value
    table = expect_table(value, path)
    check_keys(table, _RETRY_KEYS, path)
    try:
        return RetryPolicy(**table)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc.message}") from None


def _store_from(entry: object, path: str) -> StoreProfile:
    table = expect_table(entry, path)
    check_keys(table, _STORE_KEYS, path)
    if "backend" not in table:
        raise MissingConfigKey(f"{path}: missing required key 'backend'")
    if "root" in table and "root_path" in table:
        raise ConfigError(f"{path}: give 'root_path' or its alias 'root', not both")
    root = table.get("root_path", table.get("root"))
    root_key = "root_path" if "root_path" in table else "root"
    return StoreProfile(
        backend=expect_str(table["backend"], f"{path}.backend", empty_ok=False),
        root_path="" if root is None else expect_str(root, f"{path}.{root_key}"),
        options=dict(expect_optional_table(table.get("options"), f"{path}.options")),
    )
