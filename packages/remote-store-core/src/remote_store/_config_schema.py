"""Strict shape checks for configuration data: typed errors that name the config path."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from remote_store.errors import ConfigError, ConfigTypeError, MissingConfigKey

__all__ = [
    "ConfigTypeError",
    "MissingConfigKey",
    "check_keys",
    "did_you_mean",
    "expect_optional_table",
    "expect_str",
    "expect_table",
    "kind_of",
]


def kind_of(value: object) -> str:
    """A config-language name of ``value``'s type (never the value itself: it may be secret)."""
    if isinstance(value, Mapping):
        return "table"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_keys(table: Mapping[Any, Any], allowed: Iterable[str], path: str) -> None:
    """Refuse any key of ``table`` not in ``allowed``, with a did-you-mean."""
    allowed = tuple(allowed)
    for key in table:
        if not isinstance(key, str):
            raise ConfigTypeError(f"{path}: keys must be strings, got a {kind_of(key)}")
        if key not in allowed:
            expected = ", ".join(allowed)
            raise ConfigError(
                f"{path}: unknown key {key!r}{did_you_mean(key, allowed)}; expected: {expected}"
            )


def expect_table(value: object, path: str) -> Mapping[str, Any]:
    """``value`` when it is a table (mapping), else a :class:`ConfigTypeError`."""
    if not isinstance(value, Mapping):
        raise ConfigTypeError(f"{path}: expected a table, got a {kind_of(value)}")
    for key in value:
        if not isinstance(key, str):
            raise ConfigTypeError(f"{path}: keys must be strings, got a {kind_of(key)}")
    return value


def expect_optional_table(value: object, path: str) -> Mapping[str, Any]:
    """Like :func:`expect_table`, ``None`` giving an empty table."""
    return {} if value is None else expect_table(value, path)


def expect_str(value: object, path: str, *, empty_ok: bool = True) -> str:
    """``value`` when it is a string, else a :class:`ConfigTypeError`."""
    if not isinstance(value, str):
        raise ConfigTypeError(f"{path}: expected a string, got a {kind_of(value)}")
    if not empty_ok and not value:
        raise ConfigError(f"{path}: must not be empty")
    return value
