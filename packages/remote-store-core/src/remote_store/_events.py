"""StoreEvent, correlation ids and the delivery of events to callbacks and plugins."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, cast

__all__ = [
    "EventHandler",
    "StoreEvent",
    "deliver",
    "get_correlation_id",
    "notify_plugins",
    "reset_correlation_id",
    "set_correlation_id",
]

_log = logging.getLogger("remote_store.ext.observe")

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "remote_store_correlation_id", default=None
)


@dataclass(frozen=True, slots=True)
class StoreEvent:
    """One observed store operation.

    ``operation`` is the Store method name; ``path`` the path it was given (for ``move``
    and ``copy`` the source, the destination is ``metadata["dst"]``); ``duration_ms``
    runs until the operation completed, which for a listing or a read stream is when it
    was exhausted or closed. ``error`` is the exception that ended it, if any (also a
    failure in the middle of a stream). ``metadata`` carries what the operation moved:
    ``bytes`` for reads and writes, ``entries`` for listings, ``completed`` (False when a
    listing or stream was closed before its end), ``result`` for boolean queries.
    """

    operation: str
    path: str
    backend: str
    started_at: datetime
    duration_ms: float
    error: BaseException | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))


EventHandler = Callable[[StoreEvent], object]


def set_correlation_id(correlation_id: str | None) -> contextvars.Token[str | None]:
    """Tag the events of this thread/task with ``correlation_id``; returns a reset token."""
    if not isinstance(cast(object, correlation_id), (str, type(None))):
        from remote_store.errors import InvalidArgument

        raise InvalidArgument("correlation id must be a str or None")
    return _correlation_id.set(correlation_id)


def reset_correlation_id(token: contextvars.Token[str | None]) -> None:
    """Restore the correlation id that was current before :func:`set_correlation_id`."""
    _correlation_id.reset(token)


def get_correlation_id() -> str | None:
    """The correlation id events are currently tagged with."""
    return _correlation_id.get()


def deliver(handler: EventHandler | None, event: StoreEvent) -> None:
    """Call ``handler(event)``; an exception is logged at WARNING, never raised."""
    if handler is None:
        return
    try:
        handler(event)
    except Exception:
        _log.warning("observer %r failed on %s event", handler, event.operation, exc_info=True)


def notify_plugins(event: StoreEvent) -> None:
    """Fire the ``remote_store_store_event`` hook, skipped when no plugin implements it."""
    try:
        from remote_store._plugins import get_plugin_manager

        hook = get_plugin_manager().hook.remote_store_store_event
        if not hook.get_hookimpls():
            return
        hook(event=event)
    except Exception:
        _log.warning(
            "a remote_store_store_event plugin failed on %s", event.operation, exc_info=True
        )
