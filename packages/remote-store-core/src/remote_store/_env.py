"""``${VAR}`` interpolation of configuration data (COMPAT 4.4)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from remote_store.errors import ConfigError, UnsetVariable

if TYPE_CHECKING:
    from remote_store._secret import Secret

__all__ = ["Interpolated", "resolve_env", "resolve_reference", "resolve_text"]

# A complete ``${...}`` placeholder or a lone ``${`` (in a text whose ``$${`` escapes were
# replaced by a sentinel character: the ``${`` prefix lets the engine skip the rest).
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}|\$\{")
# Without a free sentinel: a run of literal text (characters but ``$``, an escaped ``$${``,
# a ``$`` that starts no placeholder), a placeholder, or a lone ``${``.
_TOKEN = re.compile(r"(?P<text>(?:[^$]++|\$\$\{|\$(?!\{))++)|\$\{(?P<body>[^}]*)\}|\$\{")
# Private-use characters, one of which stands for ``$${`` while placeholders are found.
_SENTINELS = tuple(chr(code) for code in range(0xE000, 0xE010))
#: The most ``${...}`` placeholders one string may hold.
MAX_PLACEHOLDERS = 1000
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
    pickle carries the placeholder, never the value. It pickles as a plain ``str``, or as
    its template when it holds URL credentials (resolved again where it is unpickled).
    """

    template: str

    def __new__(cls, value: str, template: str) -> Interpolated:
        text = super().__new__(cls, value)
        text.template = template
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # plain text, or its template when it holds credentials (remote_store._pickling)
        from remote_store._pickling import interpolated_reduce

        return interpolated_reduce(str(self), self.template)


def resolve_text(template: str) -> str:
    """A pickled template of a plain string, resolved from this process's environment."""
    return _substitute(template, os.environ, "$")


def resolve_reference(reference: str) -> Secret:
    """The :class:`~remote_store.Secret` a pickled reference stands for, from this
    process's environment (:class:`UnsetVariable` when a variable is missing here)."""
    from remote_store._secret import Secret as SecretValue

    return SecretValue(Interpolated(_substitute(reference, os.environ, "$"), reference))


def _substitute(text: str, env: Mapping[str, str], path: str) -> str:
    """``text`` with its placeholders resolved, in time linear in its length: the escapes
    and the text between placeholders are handled by ``str`` methods, and the Python work
    grows only with the placeholders (at most :data:`MAX_PLACEHOLDERS`)."""
    if "${" not in text:
        return text
    # Every ``$${`` is an escape (the grammar's tokens start there) and holds one ``${``;
    # a ``${`` after anything but ``$`` starts a placeholder (or is a lone ``${``).
    if text.count("${") == text.count("$${"):
        return text.replace("$${", "${")
    sentinel = next((c for c in _SENTINELS if c not in text), None)
    if sentinel is None:
        return _substitute_tokens(text, env, path)
    marked = text.replace("$${", sentinel)
    pieces: list[str] = []
    done = placeholders = 0
    for match in _PLACEHOLDER.finditer(marked):
        placeholders += 1
        _count(placeholders, path)
        pieces.append(marked[done : match.start()].replace(sentinel, "${"))
        body = match.group(1)
        pieces.append(
            _placeholder(None if body is None else body.replace(sentinel, "$${"), env, path)
        )
        done = match.end()
    pieces.append(marked[done:].replace(sentinel, "${"))
    return _result(pieces, text, placeholders)


def _substitute_tokens(text: str, env: Mapping[str, str], path: str) -> str:
    """:func:`_substitute` token by token (a text that holds every sentinel character)."""
    pieces: list[str] = []
    placeholders = 0
    for match in _TOKEN.finditer(text):
        literal = match.group("text")
        if literal is not None:
            pieces.append(literal.replace("$${", "${"))
            continue
        placeholders += 1
        _count(placeholders, path)
        pieces.append(_placeholder(match.group("body"), env, path))
    return _result(pieces, text, placeholders)


def _result(pieces: list[str], template: str, placeholders: int) -> str:
    result = "".join(pieces)
    return Interpolated(result, template) if placeholders else result


def _count(placeholders: int, path: str) -> None:
    if placeholders > MAX_PLACEHOLDERS:
        raise ConfigError(
            f"{path}: more than {MAX_PLACEHOLDERS} '${{...}}' placeholders in one value"
        )


def _placeholder(body: str | None, env: Mapping[str, str], path: str) -> str:
    """The value of one ``${body}`` placeholder (``None``: a lone ``${``)."""
    if body is None:
        raise ConfigError(f"{path}: unterminated '${{' placeholder (write '$${{' for a literal)")
    name, has_default, default = body.partition(":-")
    if not _NAME.match(name):
        raise ConfigError(
            f"{path}: invalid variable name {_shown(name)} in a '${{...}}' placeholder"
        )
    if name in env:
        return env[name]
    if has_default:
        return default
    raise UnsetVariable(f"environment variable {_shown(name)} is not set (used at {path})")


def _shown(name: str, limit: int = 64) -> str:
    """``name`` quoted for a message, cut after ``limit`` characters (it may be huge)."""
    return repr(name) if len(name) <= limit else f"{name[:limit]!r}... ({len(name)} characters)"
