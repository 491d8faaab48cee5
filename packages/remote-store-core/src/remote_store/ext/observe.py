"""Observe every operation of a Store: callbacks, an ``around`` wrapper, plugin events.

``observe(store, on_read=..., on_any=...)`` returns an :class:`ObservedStore` that emits
one :class:`StoreEvent` per operation to the matching callback, to ``on_error`` when it
failed, to ``on_any``, and to every plugin implementing the ``remote_store_store_event``
hook. Callback groups: reads -> ``on_read``; ``write*``/``open_atomic`` -> ``on_write``;
``delete``/``delete_folder`` -> ``on_delete``; ``copy`` -> ``on_copy``; ``move`` ->
``on_move``; listings, ``exists``/``is_*``, metadata and ``resolve`` -> ``on_list``;
``ping`` -> ``on_ping``.

Listings and read streams are observed without being materialised: the wrapper counts
as the caller consumes, and the event fires when the listing is exhausted or closed or
the stream is closed, with ``entries`` or ``bytes`` and any error raised part-way.
``around(operation, path, backend)`` returns a context manager entered when the
operation starts and exited when its event fires (OpenTelemetry spans use it). An
exception raised by a callback, ``around`` or a plugin is logged at WARNING and never
breaks the operation.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, overload

from remote_store._events import (
    EventHandler,
    StoreEvent,
    deliver,
    get_correlation_id,
    notify_plugins,
    reset_correlation_id,
    set_correlation_id,
)
from remote_store._proxy import ProxyStore
from remote_store._store import Store
from remote_store.errors import ConfigError, InvalidArgument
from remote_store.ext._buffered import BufferedObserver
from remote_store.hookspecs import hookimpl
from remote_store.layers import Call, Kind, Layer, Watch

if TYPE_CHECKING:  # pragma: no cover
    from remote_store.aio import AsyncStore
    from remote_store.aio.ext.observe import AsyncObservedStore

__all__ = [
    "AroundFactory",
    "BufferedObserver",
    "EventLogger",
    "ObserveCallbacks",
    "ObserveLayer",
    "ObservedStore",
    "StoreEvent",
    "get_correlation_id",
    "observe",
    "reset_correlation_id",
    "set_correlation_id",
]

_log = logging.getLogger("remote_store.ext.observe")

#: ``around(operation, path, backend)`` -> a context manager wrapping the operation.
AroundFactory = Callable[[str, str, str], AbstractContextManager[Any]]

_GROUP = {
    "read": "on_read",
    "read_bytes": "on_read",
    "read_text": "on_read",
    "read_seekable": "on_read",
    "write": "on_write",
    "write_text": "on_write",
    "write_atomic": "on_write",
    "open_atomic": "on_write",
    "delete": "on_delete",
    "delete_folder": "on_delete",
    "copy": "on_copy",
    "move": "on_move",
    "ping": "on_ping",
}
_HOOK_NAMES = (
    "on_read",
    "on_write",
    "on_delete",
    "on_copy",
    "on_move",
    "on_list",
    "on_ping",
    "on_error",
    "on_any",
)


class _Hooks:
    """The callbacks of an observed store (shared with its children)."""

    def __init__(self, around: AroundFactory | None, callbacks: Mapping[str, Any]) -> None:
        for name, value in callbacks.items():
            if value is not None and not callable(value):
                raise InvalidArgument(f"{name} must be callable or None")
        if around is not None and not callable(around):
            raise InvalidArgument("around must be callable or None")
        self.around = around
        self.callbacks: dict[str, EventHandler | None] = dict(callbacks)

    def emit(self, event: StoreEvent) -> None:
        deliver(self.callbacks.get(_GROUP.get(event.operation, "on_list")), event)
        if event.error is not None:
            deliver(self.callbacks.get("on_error"), event)
        deliver(self.callbacks.get("on_any"), event)
        notify_plugins(event)


class _Operation(Watch):
    """One running operation: enters ``around`` now, emits its event once, on finish."""

    def __init__(self, hooks: _Hooks, call: Call, backend: str) -> None:
        op = call.op
        self._hooks = hooks
        self._operation = op.name
        self._kind = op.kind
        self._path = _event_path(call)
        self._backend = backend
        self._dst = call.arguments["dst"] if op.name in ("move", "copy") else None
        self._started_at = datetime.now(UTC)
        self._start = time.perf_counter()
        self._correlation_id = get_correlation_id()
        self._around: AbstractContextManager[Any] | None = None
        self._count = 0
        if hooks.around is not None:
            try:
                context = hooks.around(op.name, self._path, backend)
                context.__enter__()
                self._around = context
            except Exception:
                _log.warning("around() failed to start %s", op.name, exc_info=True)

    def item(self, value: Any) -> None:
        self._count += len(value) if self._kind is not Kind.LISTING else 1

    def finish(self, result: Any, error: BaseException | None, completed: bool) -> None:
        duration_ms = (time.perf_counter() - self._start) * 1000.0
        if self._around is not None:
            try:
                if error is None:
                    self._around.__exit__(None, None, None)
                else:
                    self._around.__exit__(type(error), error, error.__traceback__)
            except Exception:
                _log.warning("around() failed to end %s", self._operation, exc_info=True)
        event = StoreEvent(
            operation=self._operation,
            path=self._path,
            backend=self._backend,
            started_at=self._started_at,
            duration_ms=duration_ms,
            error=error,
            metadata=self._metadata(result, error, completed),
            correlation_id=self._correlation_id,
        )
        self._hooks.emit(event)

    def _metadata(
        self, result: Any, error: BaseException | None, completed: bool
    ) -> dict[str, Any]:
        kind, name = self._kind, self._operation
        if kind is Kind.LISTING:
            return {"entries": self._count, "completed": completed}
        if kind is Kind.STREAM or (kind is Kind.SEEKABLE and result is None):
            return {"bytes": self._count, "completed": completed}
        if self._dst is not None:
            return {"dst": self._dst}
        if error is not None and kind is not Kind.ATOMIC:
            return {}
        if kind is Kind.ATOMIC:
            return {"bytes": result.size if result is not None else 0} if completed or error else {}
        if name in ("exists", "is_file", "is_folder"):
            return {"result": result}
        if name in ("read_bytes", "read_text"):
            return {"bytes": len(result)}
        if name in ("write", "write_text", "write_atomic"):
            return {"bytes": result.size}
        return {}


def _event_path(call: Call) -> str:
    if call.op.name == "delete_many":
        paths = call.path
        if isinstance(paths, (str, bytes)):
            return str(paths)
        return ",".join(map(str, paths)) if len(paths) <= 8 else f"{len(paths)} paths"
    return str(call.path)


class ObserveLayer(Layer):
    """The observe middleware as a layer (sync and async stores): one event per call."""

    def __init__(self, around: AroundFactory | None, callbacks: Mapping[str, Any]) -> None:
        self.hooks = _Hooks(around, callbacks)

    def start(self, call: Call) -> Watch:
        return _Operation(self.hooks, call, call.store._backend_name)


def observe_layer(**kwargs: Any) -> ObserveLayer:
    """The layer of :func:`observe`'s keyword arguments (``on_read``... ``around``)."""
    around = kwargs.pop("around", None)
    unknown = set(kwargs) - set(_HOOK_NAMES)
    if unknown:
        raise InvalidArgument(f"unknown observe callback(s) {sorted(unknown)}")
    return ObserveLayer(around, {name: kwargs.get(name) for name in _HOOK_NAMES})


class ObservedStore(ProxyStore):
    """A :class:`~remote_store.ProxyStore` emitting a :class:`StoreEvent` per operation."""

    __slots__ = ()

    def __init__(
        self,
        inner: Store,
        *,
        on_read: EventHandler | None = None,
        on_write: EventHandler | None = None,
        on_delete: EventHandler | None = None,
        on_copy: EventHandler | None = None,
        on_move: EventHandler | None = None,
        on_list: EventHandler | None = None,
        on_ping: EventHandler | None = None,
        on_error: EventHandler | None = None,
        on_any: EventHandler | None = None,
        around: AroundFactory | None = None,
    ) -> None:
        layer = observe_layer(
            on_read=on_read,
            on_write=on_write,
            on_delete=on_delete,
            on_copy=on_copy,
            on_move=on_move,
            on_list=on_list,
            on_ping=on_ping,
            on_error=on_error,
            on_any=on_any,
            around=around,
        )
        super().__init__(inner, layer=layer)


class ObserveCallbacks(TypedDict, total=False):
    """The keyword arguments of :func:`observe` (each optional)."""

    on_read: EventHandler | None
    on_write: EventHandler | None
    on_delete: EventHandler | None
    on_copy: EventHandler | None
    on_move: EventHandler | None
    on_list: EventHandler | None
    on_ping: EventHandler | None
    on_error: EventHandler | None
    on_any: EventHandler | None
    around: AroundFactory | None


@overload
def observe(store: Store, **callbacks: Unpack[ObserveCallbacks]) -> ObservedStore: ...


@overload
def observe(store: AsyncStore, **callbacks: Unpack[ObserveCallbacks]) -> AsyncObservedStore: ...


def observe(
    store: Store | AsyncStore,
    *,
    on_read: EventHandler | None = None,
    on_write: EventHandler | None = None,
    on_delete: EventHandler | None = None,
    on_copy: EventHandler | None = None,
    on_move: EventHandler | None = None,
    on_list: EventHandler | None = None,
    on_ping: EventHandler | None = None,
    on_error: EventHandler | None = None,
    on_any: EventHandler | None = None,
    around: AroundFactory | None = None,
) -> ObservedStore | AsyncObservedStore:
    """Wrap ``store`` so that every operation emits a :class:`StoreEvent`.

    A :class:`~remote_store.Store` gives an :class:`ObservedStore`, an
    :class:`~remote_store.aio.AsyncStore` an
    :class:`~remote_store.aio.ext.observe.AsyncObservedStore` (the same events).
    """
    callbacks: ObserveCallbacks = {
        "on_read": on_read,
        "on_write": on_write,
        "on_delete": on_delete,
        "on_copy": on_copy,
        "on_move": on_move,
        "on_list": on_list,
        "on_ping": on_ping,
        "on_error": on_error,
        "on_any": on_any,
        "around": around,
    }
    if isinstance(store, Store):
        return ObservedStore(store, **callbacks)
    if _is_async_store(store):
        from remote_store.aio.ext.observe import AsyncObservedStore

        return AsyncObservedStore(store, **callbacks)
    raise InvalidArgument(f"observe() needs a Store or an AsyncStore, not {type(store).__name__}")


def _is_async_store(store: object) -> bool:
    """Whether ``store`` is an AsyncStore, without importing remote_store.aio for a sync one."""
    aio = sys.modules.get("remote_store.aio._store")
    return aio is not None and isinstance(store, aio.AsyncStore)


class EventLogger:
    """An ``on_any`` callback writing one log line per event."""

    def __init__(
        self, logger: str = "remote_store.events", level: int | str = logging.INFO
    ) -> None:
        resolved = logging.getLevelName(level) if isinstance(level, str) else level
        if not isinstance(resolved, int):
            raise InvalidArgument(f"unknown log level {level!r}")
        self._logger = logging.getLogger(logger)
        self._level = resolved

    def __call__(self, event: StoreEvent) -> None:
        if not self._logger.isEnabledFor(self._level):
            return
        details = " ".join(f"{key}={value}" for key, value in event.metadata.items())
        self._logger.log(
            self._level,
            "%s %r on %s took %.1f ms%s%s",
            event.operation,
            event.path,
            event.backend,
            event.duration_ms,
            f" {details}" if details else "",
            f" error={type(event.error).__name__}" if event.error is not None else "",
            extra={"op": event.operation, "path": event.path, "backend": event.backend},
        )


_CONFIG_KEYS = frozenset({"log", "level", "logger"})


@hookimpl(trylast=True)
def remote_store_wrap_store(
    store: Store | AsyncStore, profile: str, options: Mapping[str, Any]
) -> Store | AsyncStore | None:
    """Registry hook: a profile with an ``observe`` option is wrapped in :func:`observe`.

    It runs after the other wrappers, so the observer is the outermost layer and sees
    every call the application makes (cache hits included).

    ``observe = true`` (or ``{}``) emits events to plugins only (for example
    remote-store-otel); ``observe = {log = true, level = "INFO", logger = "remote_store.events"}``
    also logs one line per operation. ``observe = false`` or no key: not wrapped.
    """
    table = options.get("observe") if isinstance(options, Mapping) else None
    if table is None or table is False:
        return None
    if table is True:
        table = {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"store {profile!r}: 'observe' must be true or a table, not {table!r}")
    unknown = set(table) - _CONFIG_KEYS
    if unknown:
        raise ConfigError(
            f"store {profile!r}: unknown observe option(s) {sorted(unknown)}; "
            f"allowed: {sorted(_CONFIG_KEYS)}"
        )
    on_any: EventHandler | None = None
    if table.get("log", False):
        try:
            on_any = EventLogger(
                str(table.get("logger", "remote_store.events")), table.get("level", "INFO")
            )
        except InvalidArgument as exc:
            raise ConfigError(f"store {profile!r}: {exc.message}") from exc
    return observe(store, on_any=on_any)
