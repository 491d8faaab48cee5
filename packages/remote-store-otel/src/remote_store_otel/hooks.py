"""Plugin hooks: a store profile with ``options.otel`` is traced, and every backend retry
is recorded.

``otel = true`` uses the global tracer and meter providers; ``otel = {tracer_name = "...",
meter_name = "..."}`` names them. A retry (the core's ``retry`` event) adds the span event
``remote_store.retry`` to the current span and counts on ``remote_store.retries``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace
from remote_store import Store
from remote_store.errors import ConfigError
from remote_store.ext.observe import StoreEvent
from remote_store.hookspecs import hookimpl

from remote_store_otel import otel_observe

if TYPE_CHECKING:  # pragma: no cover
    from remote_store.aio import AsyncStore

_KEYS = frozenset({"tracer_name", "meter_name"})


@hookimpl
def remote_store_wrap_store(
    store: Store | AsyncStore, profile: str, options: Mapping[str, Any]
) -> Store | AsyncStore | None:
    """Wrap the profile's store (sync or async) with :func:`otel_observe` when it asks
    for ``otel``."""
    table = options.get("otel")
    if table is None or table is False:
        return None
    if table is True:
        table = {}
    if not isinstance(table, Mapping) or set(table) - _KEYS:
        raise ConfigError(
            f"store {profile!r}: 'otel' must be true or a table with keys {sorted(_KEYS)}"
        )
    names = {key: str(value) for key, value in table.items()}
    return otel_observe(
        store,
        tracer_name=names.get("tracer_name", "remote_store"),
        meter_name=names.get("meter_name", "remote_store"),
    )


@hookimpl
def remote_store_store_event(event: StoreEvent) -> None:
    """Record a backend retry: a span event on the current span and a counter."""
    if event.operation != "retry":
        return
    meta = event.metadata
    attributes: dict[str, str | int | float] = {
        "remote_store.backend": event.backend,
        "remote_store.operation": str(meta.get("operation", "")),
        "remote_store.retry.attempt": int(meta.get("attempt", 0)),
        "remote_store.retry.wait_s": float(meta.get("wait_s", 0.0)),
        "error.type": str(meta.get("cause", "")),
    }
    span = trace.get_current_span()
    if span.is_recording():
        span.add_event("remote_store.retry", attributes)
    counter = metrics.get_meter("remote_store").create_counter(
        "remote_store.retries", unit="{retry}", description="Retries of backend requests"
    )
    counter.add(1, {key: attributes[key] for key in ("remote_store.backend", "error.type")})
