"""Declared option types: what a backend constructor's annotations accept.

A backend declares its options with ordinary annotations (``port: int = 22``,
``password: str | Secret | None = None``). They are read once per constructor and used
twice when a config is loaded:

* every option value is checked against its type, so ``port = "twenty-two"`` fails at
  load time with the config path, not at first use;
* an option is secret when its type accepts :class:`~remote_store.Secret` (and only
  then); options without a usable annotation fall back to the key-name patterns.

Annotations that cannot be evaluated (a name imported only for type checking) degrade
to "anything", never to an error.
"""

from __future__ import annotations

import enum
import functools
import inspect
import math
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from remote_store._config_schema import kind_of
from remote_store._secret import Secret, remember_url_secrets, wrap_secrets
from remote_store.errors import ConfigTypeError

__all__ = [
    "OptionType",
    "check_option",
    "declared_options",
    "unwrap_undeclared_secrets",
    "wrap_declared",
]

#: The largest magnitude an integer option may have (a signed 64-bit value).
INT_LIMIT = 2**63 - 1

_TABLE_ORIGINS = (dict, Mapping, typing.MutableMapping, typing.Mapping)
_ARRAY_ORIGINS = (list, tuple, set, frozenset, Sequence, Iterable, typing.Sequence)


@dataclass(frozen=True)
class OptionType:
    """A parsed annotation. ``any`` accepts everything; otherwise a value must match one
    of the listed kinds (``str``, ``int``, ``float``, ``bool``, ``none``, ``secret``),
    be a table whose values match ``values``, an array whose items match ``items``, one
    of ``literals``, or an instance of one of ``classes``."""

    any: bool = False
    kinds: frozenset[str] = frozenset()
    values: OptionType | None = None
    items: OptionType | None = None
    literals: tuple[Any, ...] = ()
    classes: tuple[type, ...] = ()

    @property
    def accepts_secret(self) -> bool:
        """Whether a :class:`Secret` is a declared value (the option holds a credential)."""
        return "secret" in self.kinds

    @property
    def free_form(self) -> bool:
        """Whether values under this option are not declared (``Any``, ``Mapping[str, Any]``)."""
        if self.any:
            return True
        return any(sub is not None and sub.free_form for sub in (self.values, self.items))

    def describe(self) -> str:
        """The accepted types in config-language words (``an integer or null``)."""
        words = [_KIND_WORDS[k] for k in sorted(self.kinds) if k != "secret"]
        if "secret" in self.kinds and "str" not in self.kinds:
            words.append("a string")
        if self.values is not None:
            words.append("a table")
        if self.items is not None:
            words.append("an array")
        words += [repr(v) for v in self.literals]
        words += [f"a {c.__name__}" for c in self.classes]
        return " or ".join(dict.fromkeys(words)) or "nothing"


ANY = OptionType(any=True)
_KIND_WORDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "none": "null",
    "bytes": "bytes",
}
_SIMPLE = {str: "str", int: "int", float: "float", bool: "bool", bytes: "bytes"}


def _merge(parts: list[OptionType]) -> OptionType:
    if any(p.any for p in parts):
        return ANY
    kinds: frozenset[str] = frozenset().union(*(p.kinds for p in parts))
    values = [p.values for p in parts if p.values is not None]
    items = [p.items for p in parts if p.items is not None]
    return OptionType(
        kinds=kinds,
        values=_merge(values) if values else None,
        items=_merge(items) if items else None,
        literals=tuple(v for p in parts for v in p.literals),
        classes=tuple(c for p in parts for c in p.classes),
    )


def parse_annotation(annotation: Any) -> OptionType:
    """An :class:`OptionType` for an evaluated annotation (unknown shapes give ``ANY``)."""
    if annotation is Any or annotation is object or annotation is inspect.Parameter.empty:
        return ANY
    if annotation is None or annotation is type(None):
        return OptionType(kinds=frozenset({"none"}))
    if annotation in _SIMPLE:
        return OptionType(kinds=frozenset({_SIMPLE[annotation]}))
    if annotation is Secret:
        return OptionType(kinds=frozenset({"secret"}))
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return _merge([parse_annotation(a) for a in args])
    if origin is typing.Literal:
        return OptionType(literals=args)
    if origin is typing.Annotated:
        return parse_annotation(args[0])
    if origin in _TABLE_ORIGINS or annotation in (dict, Mapping):
        return OptionType(values=parse_annotation(args[1]) if len(args) == 2 else ANY)
    if origin in _ARRAY_ORIGINS or annotation in _ARRAY_ORIGINS:
        item = args[0] if args and (origin is not tuple or len(args) == 2) else Any
        return OptionType(items=parse_annotation(item))
    if isinstance(annotation, type) and not _is_protocol(annotation):
        if issubclass(annotation, enum.Enum):  # a config gives the enum's value
            values = tuple(m.value for m in annotation)
            return OptionType(literals=values, classes=(annotation,))
        return OptionType(classes=(annotation,))
    if isinstance(origin, type) and not _is_protocol(origin):  # os.PathLike[str]
        return OptionType(classes=(origin,))
    return ANY


def _is_protocol(cls: type) -> bool:
    return bool(getattr(cls, "_is_protocol", False)) and not getattr(
        cls, "_is_runtime_protocol", False
    )


def _evaluate(annotation: Any, namespace: dict[str, Any]) -> Any:
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, namespace)
    except Exception:
        return _evaluate_parts(annotation, namespace)


def _evaluate_parts(annotation: str, namespace: dict[str, Any]) -> Any:
    """Evaluate ``A | B | C`` part by part: an unknown part makes the whole ``Any``."""
    if "|" not in annotation or "[" in annotation:
        return Any
    parts = []
    for text in annotation.split("|"):
        try:
            parts.append(eval(text.strip(), namespace))
        except Exception:
            return Any
    return functools.reduce(lambda a, b: typing.Union[a, b], parts)  # noqa: UP007


@functools.lru_cache(maxsize=256)
def _declared(factory: Callable[..., Any]) -> tuple[dict[str, OptionType], bool] | None:
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return None
    target = factory.__init__ if isinstance(factory, type) else factory  # type: ignore[misc]
    namespace = dict(getattr(inspect.unwrap(target), "__globals__", {}))
    namespace.setdefault("Secret", Secret)
    options: dict[str, OptionType] = {}
    takes_any = False
    for name, parameter in signature.parameters.items():
        if parameter.kind is parameter.VAR_KEYWORD:
            takes_any = True
        elif parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            options[name] = parse_annotation(_evaluate(parameter.annotation, namespace))
    return options, takes_any


def declared_options(factory: Callable[..., Any]) -> tuple[dict[str, OptionType], bool] | None:
    """The option types a factory declares and whether it takes ``**kwargs``; ``None``
    when it has no inspectable signature."""
    try:
        return _declared(factory)
    except TypeError:  # an unhashable callable
        return _declared.__wrapped__(factory)


_TRUE, _FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


def coerce_interpolated(value: Any, declared: OptionType) -> Any:
    """A ``${VAR}`` value (always text) as the number or bool its option declares.

    Environment variables have no types, so ``port = "${SFTP_PORT}"`` must reach the
    backend as an int; text written literally in a file is never converted. Text that
    does not parse is returned as it is (and then refused by :func:`check_option`).
    """
    from remote_store._env import Interpolated

    if not isinstance(value, Interpolated) or declared.any or declared.kinds & {"str", "secret"}:
        return value
    text = str(value).strip()
    if "int" in declared.kinds:
        try:
            return int(text)
        except ValueError:
            pass
    if "float" in declared.kinds:
        try:
            return float(text)
        except ValueError:
            pass
    if "bool" in declared.kinds and text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    return value


def check_option(value: Any, declared: OptionType, path: str) -> None:
    """Raise :class:`ConfigTypeError` naming ``path`` unless ``value`` fits ``declared``.

    Numbers must be finite and integers fit in 64 bits; tables and arrays are checked
    item by item. The message names types, never the value (it may be a secret).
    """
    if declared.any:
        return
    value = coerce_interpolated(value, declared)
    if _fits_scalar(value, declared, path):
        return
    if declared.values is not None and isinstance(value, Mapping):
        for key, item in value.items():
            check_option(item, declared.values, f"{path}.{key}")
        return
    if declared.items is not None and isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_option(item, declared.items, f"{path}[{index}]")
        return
    kind = _kind(value)
    article = "an" if kind[0] in "aeiou" else "a"
    raise ConfigTypeError(f"{path}: expected {declared.describe()}, got {article} {kind}")


def _fits_scalar(value: Any, declared: OptionType, path: str) -> bool:
    kinds = declared.kinds
    if value is None:
        return "none" in kinds
    if isinstance(value, bool):
        return "bool" in kinds or (value in declared.literals and _literal_bool(declared))
    if isinstance(value, Secret):
        return bool(kinds & {"secret", "str"})
    if isinstance(value, str):
        return bool(kinds & {"secret", "str"}) or _in_literals(value, declared)
    if isinstance(value, int):
        if "int" in kinds or "float" in kinds:
            if abs(value) > INT_LIMIT:
                raise ConfigTypeError(f"{path}: integer out of range (at most 64 bits)")
            return True
        return _in_literals(value, declared)
    if isinstance(value, float):
        if "float" in kinds:
            if not math.isfinite(value):
                raise ConfigTypeError(f"{path}: must be a finite number, got {value!r}")
            return True
        return _in_literals(value, declared)
    if isinstance(value, bytes):
        return "bytes" in kinds
    if _in_literals(value, declared):
        return True
    return any(_is_instance(value, cls) for cls in declared.classes)


def _literal_bool(declared: OptionType) -> bool:
    return any(isinstance(v, bool) for v in declared.literals)


def _in_literals(value: Any, declared: OptionType) -> bool:
    return any(type(v) is type(value) and v == value for v in declared.literals) or any(
        _is_instance(value, cls) for cls in declared.classes
    )


def _is_instance(value: Any, cls: type) -> bool:
    try:
        return isinstance(value, cls)
    except TypeError:  # a generic alias or a non-runtime protocol: cannot tell, accept
        return True


def _kind(value: Any) -> str:
    if isinstance(value, float):
        return "float"
    if isinstance(value, int) and not isinstance(value, bool):
        return "integer"
    if isinstance(value, Secret):
        return "secret string"
    return kind_of(value)


# -- secrets decided by the declared type -----------------------------------------------


def wrap_declared(
    options: Mapping[str, Any], declared: tuple[dict[str, OptionType], bool] | None
) -> dict[str, Any]:
    """A copy of ``options`` with credentials wrapped in :class:`Secret`.

    An option whose declared type accepts ``Secret`` is wrapped; one declared without it
    (``host_key_policy: str``) never is, though credentials inside a URL there are
    remembered for log masking. Undeclared and free-form options (``**kwargs``, ``Any``,
    ``Mapping[str, Any]``) fall back to the key-name patterns of :func:`wrap_secrets`.
    """
    if declared is None:
        return wrap_secrets(options)
    types_, _ = declared
    return {key: _wrap_typed(key, value, types_.get(key)) for key, value in options.items()}


def _wrap_typed(key: Any, value: Any, declared: OptionType | None) -> Any:
    if declared is None or declared.any:
        return wrap_secrets({key: value})[key]
    if isinstance(value, str):
        if declared.accepts_secret:
            return Secret(value)
        remember_url_secrets(value)
        return value
    if isinstance(value, Mapping) and declared.values is not None:
        return {k: _wrap_typed(k, v, declared.values) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and declared.items is not None:
        return type(value)(_wrap_typed(key, v, declared.items) for v in value)
    return value


def unwrap_undeclared_secrets(
    options: Mapping[str, Any], declared: tuple[dict[str, OptionType], bool] | None
) -> dict[str, Any]:
    """``options`` with a :class:`Secret` revealed where the declared type takes a plain
    string only (a config built by key-name patterns for another factory)."""
    out = dict(options)
    if declared is None:
        return out
    for key, value in options.items():
        option = declared[0].get(key)
        if (
            isinstance(value, Secret)
            and option is not None
            and not option.any
            and not option.accepts_secret
            and "str" in option.kinds
        ):
            out[key] = value.reveal()
    return out
