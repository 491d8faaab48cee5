"""Strict shape checks for configuration data: typed errors that name the config path."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from remote_store.errors import ConfigError, ConfigTypeError, MissingConfigKey

__all__ = [
    "MAX_DEPTH",
    "ConfigTypeError",
    "MissingConfigKey",
    "check_depth",
    "check_keys",
    "did_you_mean",
    "expect_optional_table",
    "expect_str",
    "expect_table",
    "kind_of",
    "shown_key",
    "with_source",
]

#: How deeply tables and arrays may nest in a config (the layout needs about 6 levels).
MAX_DEPTH = 64
_SHOWN_KEY_LENGTH = 80


def shown_key(key: object) -> str:
    """``repr(key)``, cut to a readable length (a hostile config may use huge keys)."""
    text = repr(key)
    if len(text) > _SHOWN_KEY_LENGTH:
        return f"{text[:_SHOWN_KEY_LENGTH]}... ({len(text)} characters)"
    return text


def check_depth(data: object, path: str, limit: int = MAX_DEPTH) -> None:
    """Refuse tables/arrays nested deeper than ``limit`` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children: Iterable[object] = value.values()
        elif isinstance(value, (list, tuple)):
            children = value
        else:
            continue
        if depth >= limit:
            raise ConfigError(f"{path}: tables and arrays nest deeper than {limit} levels")
        stack.extend((child, depth + 1) for child in children)


def with_source(error: ConfigError, source: object) -> ConfigError:
    """A copy of ``error`` (same class) whose message starts with ``source`` (a file)."""
    prefix = f"{source}: "
    if error.message.startswith(prefix):
        return error
    copy = type(error).__new__(type(error))
    ConfigError.__init__(copy, prefix + error.message, path=error.path, backend=error.backend)
    for key, value in vars(error).items():
        if key not in ("message", "path", "backend"):
            setattr(copy, key, value)
    return copy


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
    if len(word) > _SHOWN_KEY_LENGTH:  # no near miss, and difflib is slow on huge words
        return ""
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
                f"{path}: unknown key {shown_key(key)}{did_you_mean(key, allowed)}; "
                f"expected: {expected}"
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
