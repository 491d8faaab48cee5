"""Registry: builds named stores from a :class:`RegistryConfig`, one backend per name.

:meth:`Registry.get_store` hands out a :class:`Store`, :meth:`Registry.get_async_store`
an :class:`~remote_store.aio.AsyncStore` of the same profile. Both pass through the
``remote_store_wrap_store`` hooks (cache, observe, otel...), so a profile's options wrap
either flavour alike, in one order: observe -> otel -> cache -> store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from remote_store import _discovery
from remote_store._backend import Backend
from remote_store._backend_types import (
    BackendFactory,
    construct_backend,
    register_backend,
    registered_backends,
    resolve_backend_class,
)
from remote_store._config import RegistryConfig, StoreProfile
from remote_store._secret import redact_text
from remote_store._store import Store
from remote_store.errors import RemoteStoreError, UnknownStore

if TYPE_CHECKING:  # pragma: no cover
    from remote_store.aio._backend import AsyncBackend
    from remote_store.aio._store import AsyncStore

__all__ = ["Registry", "register_backend"]

_log = logging.getLogger("remote_store.registry")

S = TypeVar("S")


class Registry:
    """Named stores built lazily from a :class:`RegistryConfig`.

    ``backends`` maps type names to classes for this registry only (it wins over
    :func:`register_backend` and the installed entry points); ``async_backends`` does the
    same for the async backends of :meth:`get_async_store`. Each backend name is
    instantiated once per flavour, on first use, thread-safely; the stores handed out do
    not own it. :meth:`close` (or leaving the ``with`` block) closes every instantiated
    backend; a registry that handed out async stores is closed with ``await``
    :meth:`aclose` (or ``async with``).
    """

    def __init__(
        self,
        config: RegistryConfig | None = None,
        *,
        backends: Mapping[str, BackendFactory] | None = None,
        async_backends: Mapping[str, BackendFactory] | None = None,
    ) -> None:
        self._config = config if config is not None else RegistryConfig()
        self._factories = dict(backends or {})
        self._async_factories = dict(async_backends or {})
        self._config.validate()
        self._config.check_options(self._factories)
        self._lock = threading.RLock()
        self._instances: dict[str, Backend] = {}
        self._stores: dict[str, Store] = {}
        self._async_instances: dict[str, AsyncBackend] = {}
        self._async_stores: dict[str, AsyncStore] = {}

    @property
    def config(self) -> RegistryConfig:
        """The configuration this registry was built from."""
        return self._config

    def get_store(self, name: str) -> Store:
        """The store profile ``name``; :class:`UnknownStore` (a ``KeyError``) lists the others."""
        return self._cached(
            self._stores,
            name,
            lambda profile: Store(self._backend(profile.backend), profile.root_path, _owns=False),
        )

    def get_async_store(self, name: str) -> AsyncStore:
        """The store profile ``name`` as an :class:`~remote_store.aio.AsyncStore`.

        The backend is the type's native async backend when one is registered (this
        registry's ``async_backends``, else the ``remote_store.async_backends`` entry
        points), else the sync backend of :meth:`get_store` run in worker threads
        (:class:`~remote_store.aio.SyncBackendAdapter`). A type overridden with
        ``backends=`` or :func:`register_backend` uses its sync class that way. The
        profile's options wrap it like the sync store (cache, observe, otel).
        """
        from remote_store.aio._store import AsyncStore

        return self._cached(
            self._async_stores,
            name,
            lambda profile: AsyncStore(
                self._async_backend(profile.backend), profile.root_path, _owns=False
            ),
        )

    def _cached(self, stores: dict[str, S], name: str, build: Callable[[StoreProfile], S]) -> S:
        """The store of profile ``name`` from ``stores``, else built, wrapped by the
        profile's options and kept."""
        with self._lock:
            store = stores.get(name)
            if store is None:
                profile = self._profile(name)
                store = _wrap_store(build(profile), name, profile.options)
                stores[name] = store
            return store

    def _profile(self, name: str) -> StoreProfile:
        profile = self._config.stores.get(name)
        if profile is None:
            available = ", ".join(sorted(self._config.stores)) or "none"
            raise UnknownStore(f"unknown store {name!r}; available stores: {available}")
        return profile

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

    def _async_backend(self, name: str) -> AsyncBackend:
        backend = self._async_instances.get(name)
        if backend is None:
            config = self._config.backends[name]
            factory = self._async_factory(config.type)
            if factory is None:
                from remote_store.aio._sync_backend_in_async import SyncBackendAdapter

                _log.debug("backend %r of type %r runs in worker threads", name, config.type)
                backend = SyncBackendAdapter(self._backend(name))
            else:
                _log.debug("instantiating async backend %r of type %r", name, config.type)
                backend = construct_backend(factory, config.options, config.retry, name)
            self._async_instances[name] = backend
        return backend

    def _async_factory(self, type_name: str) -> BackendFactory | None:
        """The native async class of ``type_name``; ``None`` when the sync one serves."""
        if type_name in self._async_factories:
            return self._async_factories[type_name]
        if type_name in self._factories or type_name in registered_backends():
            return None  # a sync override: the async entry point is another class
        if type_name not in _discovery.providers(_discovery.ASYNC_BACKEND_GROUP):
            return None
        factory: BackendFactory = _discovery.load_backend_class(
            type_name, _discovery.ASYNC_BACKEND_GROUP
        )
        return factory

    def close(self) -> None:
        """Close every instantiated backend; raise the first failure after trying all.

        Async backends are closed on a loop of their own here; inside a running event
        loop use ``await`` :meth:`aclose`.
        """
        errors = self._close_async_without_loop()
        with self._lock:
            instances = list(self._instances.items())
            self._instances.clear()
            self._stores.clear()
        for name, backend in instances:
            try:
                backend.close()
            except Exception as exc:
                errors.append(_close_error(name, exc))
        _raise_first(errors)

    async def aclose(self) -> None:
        """Close every instantiated backend, the async ones on the running loop; raise the
        first failure after trying all."""
        import asyncio

        errors = await self._close_async()
        try:
            await asyncio.to_thread(self.close)
        except RemoteStoreError as exc:
            errors.append(exc)
        _raise_first(errors)

    def _take_async(self) -> list[tuple[str, AsyncBackend]]:
        from remote_store.aio._sync_backend_in_async import SyncBackendAdapter

        with self._lock:
            instances = list(self._async_instances.items())
            self._async_instances.clear()
            self._async_stores.clear()
            for name, backend in instances:
                if isinstance(backend, SyncBackendAdapter):
                    self._instances.pop(name, None)  # the adapter's aclose closes it
        return instances

    async def _close_async(self) -> list[RemoteStoreError]:
        errors: list[RemoteStoreError] = []
        for name, backend in self._take_async():
            try:
                await backend.aclose()
            except Exception as exc:
                errors.append(_close_error(name, exc))
        return errors

    def _close_async_without_loop(self) -> list[RemoteStoreError]:
        if not self._async_instances:
            return []
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._close_async())
        return [
            RemoteStoreError(
                "Registry.close() was called inside a running event loop with async "
                "backends open; use 'await registry.aclose()'"
            )
        ]

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Registry:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

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


def _wrap_store(store: S, profile: str, options: Mapping[str, Any]) -> S:
    """Pass ``store`` (a Store or an AsyncStore) through every ``remote_store_wrap_store``
    implementation in turn."""
    from remote_store._plugins import get_plugin_manager

    hook = get_plugin_manager().hook.remote_store_wrap_store
    arguments: dict[str, Any] = {"store": store, "profile": profile, "options": options}
    for impl in reversed(hook.get_hookimpls()):  # pluggy's own calling order
        if impl.hookwrapper or impl.wrapper:
            continue
        arguments["store"] = store
        wrapped = cast("S | None", impl.function(*(arguments[n] for n in impl.argnames)))
        if wrapped is not None:
            store = wrapped
    return store


def _raise_first(errors: list[RemoteStoreError]) -> None:
    if errors:
        first = errors[0]
        for other in errors[1:]:
            first.add_note(f"also failed: {other}")
        raise first from None


def _close_error(name: str, exc: Exception) -> RemoteStoreError:
    if isinstance(exc, RemoteStoreError):
        return exc
    return RemoteStoreError(
        f"closing backend {name!r} failed: {type(exc).__name__}: {redact_text(str(exc))}",
        backend=name,
    )
