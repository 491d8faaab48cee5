"""YAML configuration for remote-store (also importable as ``remote_store.ext.yaml``)."""

from __future__ import annotations

import os
import pathlib
from typing import Any

from remote_store import RegistryConfig, resolve_env
from remote_store.errors import ConfigError

__all__ = ["YamlConfigError", "from_yaml", "load_yaml"]


class YamlConfigError(ConfigError, TypeError):
    """The YAML document is not a mapping (also a ``TypeError``, as in 0.27)."""


def load_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a YAML file safely (no object construction); the top level must be a mapping."""
    import yaml

    file_path = pathlib.Path(path)
    try:
        with file_path.open("rb") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{file_path}: invalid YAML{where}") from None
    except RecursionError:
        raise ConfigError(f"{file_path}: mappings or sequences nest too deeply") from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(
            f"{file_path}: cannot read the config file: {exc.strerror or exc}"
        ) from None
    if not isinstance(data, dict):
        raise YamlConfigError(f"{file_path}: the top level must be a mapping")
    return data


def from_yaml(path: str | os.PathLike[str], *, resolve_env_vars: bool = False) -> RegistryConfig:
    """Load a :class:`RegistryConfig` from a YAML file, optionally resolving ``${VAR}``."""
    data = load_yaml(path)
    try:
        return RegistryConfig.from_dict(resolve_env(data) if resolve_env_vars else data)
    except ConfigError as exc:
        if exc.message.startswith(f"{path}: "):
            raise
        raise type(exc)(f"{path}: {exc.message}", path=exc.path, backend=exc.backend) from None
