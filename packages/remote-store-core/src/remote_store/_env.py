"""``${VAR}`` interpolation of configuration data (COMPAT 4.4)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from remote_store.errors import ConfigError, UnsetVariable

if TYPE_CHECKING:
    from remote_store._secret import Secret

__all__ = ["Interpolated", "resolve_env", "resolve_reference"]

# ``$${`` (an escaped literal ``${``), a complete ``${...}`` placeholder, or a lone ``${``.
_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def resolve_env(
    data: Mapping[str, Any], *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A copy of ``data`` with ``${VAR}`` placeholders replaced in every string.

    * ``${VAR}``: the variable's value; an unset variable raises :class:`UnsetVariable`
      (also a ``KeyError``) naming the variable and the config path (``$.backends.s3.options.key``).
    * ``${VAR:-default}``: ``default`` when ``VAR`` is absent; a set but empty value is kept
      (unlike the shell's ``:-``).
    * ``$${``: a literal ``${``.

    Dicts and lists are walked recursively; keys and non-string values are left alone.
    ``environ`` defaults to :data:`os.environ`.
    """
    env = os.environ if environ is None else environ
    if not isinstance(data, Mapping):
        raise ConfigError(f"$: expected a table of configuration, got {type(data).__name__}")
    return {key: _resolve(value, env, f"$.{key}") for key, value in data.items()}


def _resolve(value: Any, env: Mapping[str, str], path: str) -> Any:
    if isinstance(value, str):
        return _substitute(value, env, path)
    if isinstance(value, Mapping):
        return {key: _resolve(item, env, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, env, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


class Interpolated(str):
    """A string that came from ``${VAR}`` placeholders; ``template`` is the text before.

    A :class:`~remote_store.Secret` wrapping it keeps ``template`` as its reference, so a
    pickle carries the placeholder, never the value. It pickles as a plain ``str``.
    """

    template: str

    def __new__(cls, value: str, template: str) -> Interpolated:
        text = super().__new__(cls, value)
        text.template = template
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))


def resolve_reference(reference: str) -> Secret:
    """The :class:`~remote_store.Secret` a pickled reference stands for, from this
    process's environment (:class:`UnsetVariable` when a variable is missing here)."""
    from remote_store._secret import Secret as SecretValue

    return SecretValue(Interpolated(_substitute(reference, os.environ, "$"), reference))


def _substitute(text: str, env: Mapping[str, str], path: str) -> str:
    placeholders = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal placeholders
        token = match.group(0)
        if token == "$${":
            return "${"
        placeholders += 1
        body = match.group(1)
        if body is None:
            raise ConfigError(
                f"{path}: unterminated '${{' placeholder (write '$${{' for a literal)"
            )
        name, has_default, default = body.partition(":-")
        if not _NAME.match(name):
            raise ConfigError(f"{path}: invalid variable name {name!r} in a '${{...}}' placeholder")
        if name in env:
            return env[name]
        if has_default:
            return default
        raise UnsetVariable(f"environment variable {name!r} is not set (used at {path})")

    result = _TOKEN.sub(replace, text)
    return Interpolated(result, text) if placeholders else result
