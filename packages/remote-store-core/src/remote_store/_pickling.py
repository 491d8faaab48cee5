"""Pickling of backends, stores, secrets and configs without a secret value in the bytes.

A backend pickles as the arguments it was constructed with (recorded by the base
classes' ``__new__``), never as its live state: the copy builds its own clients,
sessions and locks lazily, on the other side. Secret options travel as their
reference (the ``${VAR}`` text they were read from) and are resolved again where they
are unpickled; a secret given inline refuses to pickle with :class:`SecretNotPicklable`
unless the caller opts in with :func:`allow_secret_pickling`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from remote_store.errors import NotPicklable, SecretNotPicklable

if TYPE_CHECKING:
    from remote_store._secret import Secret

# remote_store._secret (which loads logging) is imported inside the functions that need
# it: the backend base class imports this module, and `import remote_store` stays light.

__all__ = [
    "allow_secret_pickling",
    "backend_reduce",
    "backend_token",
    "check_options_picklable",
    "record_init",
    "secret_reduce",
]

_INIT_ATTRIBUTE = "_rs_init_arguments"
_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar("rs_secret_pickling", default=False)

_WAYS_OUT = (
    'ways out: read it from the environment in the config ("${VAR}" with '
    "RegistryConfig.from_file(..., resolve_env_vars=True)), leave it unset so the worker "
    "uses the provider's credential chain, or opt in to carrying the value with "
    "'with remote_store.allow_secret_pickling(): pickle.dumps(...)'"
)


@contextlib.contextmanager
def allow_secret_pickling() -> Iterator[None]:
    """Let secrets given inline pickle *with their value* inside this block (this thread/task).

    Without it, pickling an inline secret raises :class:`SecretNotPicklable`. Anyone who
    can read the pickled bytes can read the secret: use it only over a trusted channel.
    """
    token = _allowed.set(True)
    try:
        yield
    finally:
        _allowed.reset(token)


def secret_pickling_allowed() -> bool:
    """Whether :func:`allow_secret_pickling` is active here."""
    return _allowed.get()


# -- Secret ---------------------------------------------------------------------------


def secret_reduce(secret: Secret, reference: str | None) -> tuple[Any, ...]:
    """How a :class:`Secret` pickles: as its reference, or its value when allowed."""
    if reference is not None and not _inline_credentials(secret.reveal(), reference):
        return (_secret_from_reference, (reference,))
    if _allowed.get():
        from remote_store._secret import Secret

        return (Secret, (secret.reveal(),))
    raise SecretNotPicklable(
        f"a Secret given inline cannot be pickled (its value would be in the bytes); {_WAYS_OUT}"
    )


def interpolated_reduce(value: str, template: str) -> tuple[Any, ...]:
    """How a string read from ``${VAR}`` placeholders pickles: as plain text, unless it
    holds credentials (URL userinfo, ``?sig=``...): then as its template, resolved again
    where it is unpickled (as a :class:`Secret` does); credentials written inline in the
    template itself refuse like an inline secret."""
    from remote_store._secret import has_url_secrets

    if not has_url_secrets(value):
        return (str, (value,))
    if not _inline_credentials(value, template):
        return (_text_from_reference, (template,))
    if _allowed.get():
        return (str, (value,))
    raise SecretNotPicklable(
        "a string read from '${VAR}' placeholders holds credentials written inline in its "
        f"template (their values would be in the bytes); {_WAYS_OUT}"
    )


def _inline_credentials(value: str, template: str) -> bool:
    """Whether a credential inside ``value`` is written in ``template`` itself."""
    from remote_store._secret import url_secret_parts

    return any(part and part in template for part in url_secret_parts(value))


def _text_from_reference(template: str) -> str:
    from remote_store._env import resolve_text

    return resolve_text(template)


def _secret_from_reference(reference: str) -> Secret:
    from remote_store._env import resolve_reference

    return resolve_reference(reference)


# -- checking options before they pickle --------------------------------------------


def check_options_picklable(options: Mapping[str, Any], where: str) -> None:
    """Raise a typed error naming the first option at ``where`` that cannot travel.

    Refused: a :class:`Secret` given inline (unless :func:`allow_secret_pickling`), an
    object under a secret option name (a credential object could carry its secret), and
    any value that plain ``pickle`` cannot serialise.
    """
    from remote_store._secret import is_secret_key

    for name, value in options.items():
        _check_value(value, f"{where}.{name}", is_secret_key(str(name)))


def _check_value(value: Any, where: str, secret: bool) -> None:
    from remote_store._secret import Secret, is_secret_key

    if isinstance(value, Secret):
        if value.reference is None and not _allowed.get():
            raise SecretNotPicklable(
                f"option {where!r} holds a secret given inline; pickling would put its "
                f"value in the bytes; {_WAYS_OUT}",
                option=where,
            )
        return
    if isinstance(value, str) and getattr(value, "template", None) is None:
        _check_text(value, where)
        return
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_value(item, f"{where}.{key}", secret or is_secret_key(str(key)))
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for number, item in enumerate(value):
            _check_value(item, f"{where}[{number}]", secret)
        return
    if secret and not _allowed.get():
        raise SecretNotPicklable(
            f"option {where!r} holds a {type(value).__name__} object, which may carry a "
            f"credential; {_WAYS_OUT}",
            option=where,
        )
    import pickle

    try:
        pickle.dumps(value)
    except NotPicklable:  # a wrapped backend's own refusal names its option: keep it
        raise
    except Exception as exc:
        raise NotPicklable(
            f"option {where!r} holds a {type(value).__name__} that cannot be pickled "
            f"({type(exc).__name__}); build the backend from plain options (a URL, a path, "
            f"a config profile) so that the other side can rebuild it",
            option=where,
        ) from None


def _check_text(value: str, where: str) -> None:
    """A plain string given inline must not carry credentials (URL userinfo, ``?sig=``)."""
    from remote_store._secret import has_url_secrets

    if not _allowed.get() and has_url_secrets(value):
        raise SecretNotPicklable(
            f"option {where!r} holds a URL or field with credentials given inline; pickling "
            f"would put them in the bytes; {_WAYS_OUT}",
            option=where,
        )


# -- backends ----------------------------------------------------------------------


def record_init(instance: object, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Remember the arguments ``instance`` was constructed with (the outermost call)."""
    if _INIT_ATTRIBUTE not in instance.__dict__:
        instance.__dict__[_INIT_ATTRIBUTE] = (args, kwargs)


def _init_arguments(backend: object) -> tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]]:
    """``(args, kwargs, named)``: the recorded call with secret strings wrapped, and
    the same values by parameter name (for messages and tokens)."""
    import inspect

    from remote_store._secret import wrap_secrets

    args, kwargs = backend.__dict__.get(_INIT_ATTRIBUTE, ((), {}))
    cls = type(backend)
    try:
        bound = inspect.signature(cls).bind(*args, **kwargs)
    except (TypeError, ValueError):
        named = {f"arg{number}": value for number, value in enumerate(args)} | dict(kwargs)
        wrapped = wrap_secrets(named)
        return (
            tuple(wrapped[f"arg{n}"] for n in range(len(args))),
            {k: wrapped[k] for k in kwargs},
            wrapped,
        )
    wrapped = wrap_secrets(dict(bound.arguments))
    for name, value in wrapped.items():
        bound.arguments[name] = value
    return bound.args, bound.kwargs, wrapped


def backend_reduce(backend: object) -> tuple[Any, ...]:
    """``__reduce__`` of a backend: rebuild it from its constructor arguments.

    A class that defines ``__getstate__`` pickles its own state instead (memory: a
    snapshot of the files; local: the root's path and identity).
    """
    cls = type(backend)
    if getattr(cls, "__getstate__", object.__getstate__) is not object.__getstate__:
        import copyreg

        return (copyreg.__newobj__, (cls,), backend.__getstate__())  # type: ignore[attr-defined]
    args, kwargs, named = _init_arguments(backend)
    check_options_picklable(named, cls.__name__)
    return (_rebuild_backend, (cls, args, kwargs))


def _rebuild_backend(cls: type[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return cls(*args, **kwargs)


def backend_token(backend: object) -> tuple[Any, ...]:
    """A deterministic ``__dask_tokenize__`` value: the class and its options, with
    secrets replaced by their reference (or a fixed marker), never their value."""
    cls = type(backend)
    _, _, named = _init_arguments(backend)
    return (f"{cls.__module__}.{cls.__qualname__}", _token_of(named))


def _token_of(value: Any) -> Any:
    from remote_store._secret import Secret

    if isinstance(value, Secret):
        return ("secret", value.reference or "inline")
    if isinstance(value, Mapping):
        return tuple(sorted(((str(k), _token_of(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return tuple(_token_of(item) for item in value)
    if hasattr(value, "__dask_tokenize__"):
        return value.__dask_tokenize__()
    return value
