"""Kept for imports written before StoreEvent moved into the core (``remote_store._events``)."""

from remote_store._events import (
    EventHandler,
    StoreEvent,
    deliver,
    get_correlation_id,
    notify_plugins,
    reset_correlation_id,
    set_correlation_id,
)

__all__ = [
    "EventHandler",
    "StoreEvent",
    "deliver",
    "get_correlation_id",
    "notify_plugins",
    "reset_correlation_id",
    "set_correlation_id",
]
