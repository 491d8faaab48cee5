"""Registry: builds named stores from a :class:`RegistryConfig`, one backend per name."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any, cast

from remote_store._backend import Backend
from remote_store._backend_types import (
    BackendFactory,
    construct_backend,
    register_backend,
    resolve_backend_class,
)
from remote_store._config import RegistryConfig
from remote_store._secret import redact_text
from remote_store._store import Store
from remote_store.errors import RemoteStoreError, UnknownStore

__all__ = ["Registry", "register_backend"]

_log = logging.getLogger("remote_store.registry")


class Registry:
    """Named stores built lazily from a :class:`RegistryConfig`.

    ``backends`` maps type names to classes for this registry only (it wins over
    :func:`register_backend` and the installed entry points). Each backend name is
    instantiated once, on first use, thread-safely; the stores handed out do not own it.
    :meth:`close` (or leaving the ``with`` block) closes every instantiated backend.
    """

    def __init__(
        self,
        config: RegistryConfig | None = None,
        *,
        backends: Mapping[str, BackendFactory] | None = None,
    ) -> None:
        self._config = config if config is not None else RegistryConfig()
        self._factories = dict(backends or {})
        self._config.validate()
        self._config.check_options(self._factories)
        self._lock = threading.RLock()
        self._instances: dict[str, Backend] = {}
        self._stores: dict[str, Store] = {}

    @property
    def config(self) -> RegistryConfig:
        """The configuration this registry was built from."""
        return self._config

    def get_store(self, name: str) -> Store:
        """The store profile ``name``; :class:`UnknownStore` (a ``KeyError``) lists the others."""
        with self._lock:
            store = self._stores.get(name)
            if store is not None:
                return store
            profile = self._config.stores.get(name)
            if profile is None:
                available = ", ".join(sorted(self._config.stores)) or "none"
                raise UnknownStore(f"unknown store {name!r}; available stores: {available}")
            backend = self._backend(profile.backend)
            store = Store(backend, profile.root_path, _owns=False)
            store = _wrap_store(store, name, profile.options)
            self._stores[name] = store
            return store

    def store(self, name: str) -> Store:
        """Alias of :meth:`get_store` (the name the feature page uses)."""
        return self.get_store(name)

    def _backend(self, name: str) -> Backend:
        backend = self._instances.get(name)
        if backend is None:
            config = self._config.backends[name]
            factory = resolve_backend_class(config.type, self._factories)
            _log.debug("instantiating backend %r of type %r", name, config.type)
            backend = construct_backend(factory, config.options, config.retry, name)
            self._instances[name] = backend
        return backend

    def close(self) -> None:
        """Close every instantiated backend; raise the first failure after trying all."""
        with self._lock:
            instances = list(self._instances.items())
            self._instances.clear()
            self._stores.clear()
        errors: list[RemoteStoreError] = []
        for name, backend in instances:
            try:
                backend.close()
            except Exception as exc:
                errors.append(_close_error(name, exc))
        if errors:
            first = errors[0]
            for other in errors[1:]:
                first.add_note(f"also failed: {other}")
            raise first from None

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Registry):
            return self._config == other._config
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Registry(backends={sorted(self._config.backends)!r}, "
            f"stores={sorted(self._config.stores)!r})"
        )


def _wrap_store(store: Store, profile: str, options: Mapping[str, Any]) -> Store:
    """Pass ``store`` through every ``remote_store_wrap_store`` implementation in turn."""
    from remote_store._plugins import get_plugin_manager

    hook = get_plugin_manager().hook.remote_store_wrap_store
    arguments: dict[str, Any] = {"store": store, "profile": profile, "options": options}
    for impl in reversed(hook.get_hookimpls()):  # pluggy's own calling order
        if impl.hookwrapper or impl.wrapper:
            continue
        arguments["store"] = store
        wrapped = cast("Store | None", impl.function(*(arguments[n] for n in impl.argnames)))
        if wrapped is not None:
            store = wrapped
    return store


def _close_error(name: str, exc: Exception) -> RemoteStoreError:
    if isinstance(exc, RemoteStoreError):
        return exc
    return RemoteStoreError(
        f"closing backend {name!r} failed: {type(exc).__name__}: {redact_text(str(exc))}",
        backend=name,
    )
