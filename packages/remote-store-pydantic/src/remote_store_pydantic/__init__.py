"""Pydantic integration for remote-store (also importable as ``remote_store.ext.pydantic``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from remote_store import RegistryConfig, Secret

__all__ = ["BackendSettings", "RegistrySettings", "StoreSettings", "from_pydantic"]


def _secrets_kept(value: Any) -> Any:
    """Replace every ``SecretStr`` (at any depth) by a ``Secret``."""
    if isinstance(value, SecretStr):
        return Secret(value.get_secret_value())
    if isinstance(value, Mapping):
        return {key: _secrets_kept(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_secrets_kept(item) for item in value]
    return value


def from_pydantic(model: BaseModel) -> RegistryConfig:
    """A :class:`RegistryConfig` from a pydantic model shaped like the config file.

    Unlike remote-store 0.27, a ``SecretStr`` anywhere (not only under a sensitive option
    name) becomes a :class:`~remote_store.Secret`, never a plain string.
    """
    data = model.model_dump(exclude_none=True)
    return RegistryConfig.from_dict(_secrets_kept(data))


class BackendSettings(BaseModel):
    """One backend: its type, constructor options and optional retry table."""

    model_config = ConfigDict(extra="forbid")
    type: str
    options: dict[str, Any] = {}
    retry: dict[str, Any] | None = None


class StoreSettings(BaseModel):
    """One store profile."""

    model_config = ConfigDict(extra="forbid")
    backend: str
    root_path: str = ""
    options: dict[str, Any] = {}


class RegistrySettings(BaseSettings):
    """Registry settings read from the environment (``REMOTE_STORE_`` prefix, ``__`` nesting).

    ``REMOTE_STORE_BACKENDS__S3__TYPE=s3`` and
    ``REMOTE_STORE_BACKENDS__S3__OPTIONS__BUCKET=data`` describe a backend ``s3``.
    """

    model_config = SettingsConfigDict(
        env_prefix="REMOTE_STORE_", env_nested_delimiter="__", extra="forbid"
    )
    backends: dict[str, BackendSettings] = {}
    stores: dict[str, StoreSettings] = {}

    def to_config(self) -> RegistryConfig:
        """The validated :class:`RegistryConfig`."""
        return from_pydantic(self)
