"""Backend types: which class a config ``type`` names, and checking options against it.

A type resolves, in order, through a :class:`~remote_store.Registry`'s own ``backends``
override, then :func:`register_backend` (a process-global table kept for 0.27 code), then
the ``remote_store.backends`` entry points.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping
from typing import Any

from remote_store import _discovery
from remote_store._config_schema import did_you_mean, shown_key
from remote_store._option_types import (
    check_option,
    coerce_interpolated,
    declared_options,
    unwrap_undeclared_secrets,
)
from remote_store._retry import RetryPolicy
from remote_store._secret import redact_text
from remote_store.errors import ConfigError, RemoteStoreError, UnknownBackendType

__all__ = [
    "BackendFactory",
    "check_backend_options",
    "construct_backend",
    "register_backend",
    "registered_backends",
    "resolve_backend_class",
]

#: A backend class, or any callable taking the options as keyword arguments.
BackendFactory = Callable[..., Any]

_global_lock = threading.Lock()
_global_factories: dict[str, BackendFactory] = {}


def register_backend(type_name: str, cls: BackendFactory) -> None:
    """Register ``cls`` for ``type_name`` in every :class:`Registry` of this process.

    Kept for remote-store 0.27 code. It mutates a process-global table that takes
    precedence over installed entry points; prefer ``Registry(config, backends={...})``
    for a per-registry override, or an entry point for a distributed backend.
    """
    if not isinstance(type_name, str) or not type_name:
        raise ConfigError("register_backend: type_name must be a non-empty string")
    if not callable(cls):
        raise ConfigError(f"register_backend: {type_name!r} needs a class or callable")
    with _global_lock:
        _global_factories[type_name] = cls


def registered_backends() -> dict[str, BackendFactory]:
    """A copy of the process-global table filled by :func:`register_backend`."""
    with _global_lock:
        return dict(_global_factories)


def resolve_backend_class(
    type_name: str, overrides: Mapping[str, BackendFactory] | None = None
) -> BackendFactory:
    """The factory for ``type_name``; :class:`UnknownBackendType` lists what is available."""
    if overrides and type_name in overrides:
        return overrides[type_name]
    with _global_lock:
        registered = _global_factories.get(type_name)
    if registered is not None:
        return registered
    try:
        factory: BackendFactory = _discovery.load_backend_class(type_name)
        return factory
    except UnknownBackendType:
        available = set(_discovery.providers(_discovery.BACKEND_GROUP))
        available |= set(registered_backends()) | set(overrides or ())
        raise UnknownBackendType(
            f"unknown backend type {type_name!r} (available: "
            f"{', '.join(sorted(available)) or 'none'}); "
            f"to add it: {_discovery.install_hint(type_name)}"
        ) from None


def try_resolve_backend_class(
    type_name: str, overrides: Mapping[str, BackendFactory] | None = None
) -> BackendFactory | None:
    """Like :func:`resolve_backend_class`, ``None`` when the type is not installed/importable.

    A type registered by two distributions is still an error.
    """
    try:
        return resolve_backend_class(type_name, overrides)
    except UnknownBackendType:
        return None
    except ImportError:
        return None


def _parameters(factory: BackendFactory) -> tuple[dict[str, inspect.Parameter], bool] | None:
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # builtins without a signature: nothing to check
        return None
    named = {
        name: p
        for name, p in signature.parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    return named, takes_any


def check_backend_options(
    factory: BackendFactory,
    options: Mapping[str, Any],
    retry: RetryPolicy | None,
    path: str,
) -> None:
    """Refuse options the constructor does not take, missing required ones, values that
    do not fit the constructor's annotations, and a ``retry`` table for a backend without
    a ``retry`` parameter. ``path`` is the backend's config path (``$.backends.s3``)."""
    found = _parameters(factory)
    if found is None:
        return
    named, takes_any = found
    declared = declared_options(factory)
    if declared is not None:
        for key, value in options.items():
            option = declared[0].get(key)
            if option is not None:
                check_option(value, option, f"{path}.options.{key}")
    accepted = [name for name in named if name != "retry"]
    if not takes_any:
        for key in options:
            if key not in named or key == "retry":
                hint = did_you_mean(key, accepted)
                raise ConfigError(
                    f"{path}.options: backend {_name_of(factory)} takes no option "
                    f"{shown_key(key)}{hint}; it takes: {', '.join(accepted) or 'no options'}"
                )
        if retry is not None and "retry" not in named:
            raise ConfigError(
                f"{path}.retry: backend {_name_of(factory)} has no retry policy "
                "(its constructor takes no 'retry')"
            )
    for name, parameter in named.items():
        if parameter.default is parameter.empty and name not in options and name != "retry":
            raise ConfigError(f"{path}.options: backend {_name_of(factory)} needs option {name!r}")


def construct_backend(
    factory: BackendFactory,
    options: Mapping[str, Any],
    retry: RetryPolicy | None,
    backend_name: str,
) -> Any:
    """Call ``factory(**options, retry=retry)``; a failure never shows the option values.

    A :class:`RemoteStoreError` keeps its type; anything else becomes a
    :class:`ConfigError`. Messages are redacted and the original exception is not
    chained (its message or traceback may quote secrets).
    """
    declared = declared_options(factory)
    kwargs = unwrap_undeclared_secrets(options, declared)
    if declared is not None:  # ${VAR} text becomes the number or bool the option declares
        for key, value in kwargs.items():
            option = declared[0].get(key)
            if option is not None:
                kwargs[key] = coerce_interpolated(value, option)
    if retry is not None:
        kwargs["retry"] = retry
    try:
        return factory(**kwargs)
    except Exception as exc:
        error = _redacted_error(exc, backend_name, factory)
    raise error from None


def _redacted_error(exc: Exception, backend_name: str, factory: BackendFactory) -> Exception:
    detail = redact_text(str(exc))
    if isinstance(exc, RemoteStoreError):
        copy = type(exc).__new__(type(exc))
        RemoteStoreError.__init__(
            copy, redact_text(exc.message), path=exc.path, backend=exc.backend or backend_name
        )
        for key, value in vars(exc).items():
            if key not in ("message", "path", "backend"):
                setattr(copy, key, value)
        return copy
    return ConfigError(
        f"invalid options for backend {backend_name!r} ({_name_of(factory)}): "
        f"{type(exc).__name__}: {detail}",
        backend=backend_name,
    )


def _name_of(factory: BackendFactory) -> str:
    return getattr(factory, "__qualname__", None) or type(factory).__name__
