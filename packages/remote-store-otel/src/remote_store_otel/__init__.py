"""OpenTelemetry tracing and metrics for remote-store (also ``remote_store.ext.otel``).

Each store operation becomes a CLIENT span named ``remote_store.<operation>`` (for example
``remote_store.read``), lasting until the operation completes: for a read stream or a listing,
until it is exhausted or closed. Attributes: ``remote_store.operation``, ``remote_store.backend``,
``remote_store.path``; a failed operation has status ERROR, the exception recorded and the
semantic-convention attribute ``error.type``. Metrics: ``remote_store.operation.duration``
(histogram, seconds) and ``remote_store.io.size`` (counter, bytes, with
``remote_store.io.direction`` = ``read`` | ``write``) and ``remote_store.listing.entries``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, overload

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from remote_store import Store
from remote_store.ext.observe import ObservedStore, StoreEvent, observe

if TYPE_CHECKING:  # pragma: no cover
    from remote_store.aio import AsyncStore
    from remote_store.aio.ext.observe import AsyncObservedStore

__all__ = ["otel_hooks", "otel_observe"]

_READS = frozenset({"read", "read_bytes", "read_text", "read_seekable"})
_WRITES = frozenset({"write", "write_text", "write_atomic", "open_atomic"})


class _SpanScope:
    """Ends a span when the operation ends (possibly in another thread or context)."""

    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def __enter__(self) -> trace.Span:
        return self._span

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is not None:
            self._span.record_exception(exc)
            self._span.set_attribute("error.type", type(exc).__name__)
            self._span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        self._span.end()


def otel_hooks(
    *,
    tracer_name: str = "remote_store",
    meter_name: str = "remote_store",
    tracer: trace.Tracer | None = None,
    meter: metrics.Meter | None = None,
) -> dict[str, Any]:
    """Keyword arguments for :func:`remote_store.ext.observe.observe`: ``around`` opens a
    span per operation, ``on_any`` records the metrics."""
    active_tracer = tracer or trace.get_tracer(tracer_name)
    active_meter = meter or metrics.get_meter(meter_name)
    duration = active_meter.create_histogram(
        "remote_store.operation.duration", unit="s", description="Duration of store operations"
    )
    io_size = active_meter.create_counter(
        "remote_store.io.size", unit="By", description="Bytes read from or written to stores"
    )
    entries = active_meter.create_counter(
        "remote_store.listing.entries", unit="{entry}", description="Entries yielded by listings"
    )

    def around(operation: str, path: str, backend: str) -> _SpanScope:
        span = active_tracer.start_span(
            f"remote_store.{operation}",
            kind=SpanKind.CLIENT,
            attributes={
                "remote_store.operation": operation,
                "remote_store.backend": backend,
                "remote_store.path": path,
            },
        )
        return _SpanScope(span)

    def on_any(event: StoreEvent) -> None:
        attributes: dict[str, str] = {
            "remote_store.operation": event.operation,
            "remote_store.backend": event.backend,
        }
        if event.error is not None:
            attributes["error.type"] = type(event.error).__name__
        duration.record(event.duration_ms / 1000.0, attributes)
        size = event.metadata.get("bytes")
        if isinstance(size, int) and size > 0:
            direction = "read" if event.operation in _READS else "write"
            if event.operation in _READS or event.operation in _WRITES:
                io_size.add(size, {**attributes, "remote_store.io.direction": direction})
        count = event.metadata.get("entries")
        if isinstance(count, int) and count > 0:
            entries.add(count, attributes)

    hooks: dict[str, Callable[..., Any]] = {"around": around, "on_any": on_any}
    return hooks


@overload
def otel_observe(
    store: Store,
    *,
    tracer_name: str = ...,
    meter_name: str = ...,
    tracer: trace.Tracer | None = ...,
    meter: metrics.Meter | None = ...,
) -> ObservedStore: ...


@overload
def otel_observe(
    store: AsyncStore,
    *,
    tracer_name: str = ...,
    meter_name: str = ...,
    tracer: trace.Tracer | None = ...,
    meter: metrics.Meter | None = ...,
) -> AsyncObservedStore: ...


def otel_observe(
    store: Store | AsyncStore,
    *,
    tracer_name: str = "remote_store",
    meter_name: str = "remote_store",
    tracer: trace.Tracer | None = None,
    meter: metrics.Meter | None = None,
) -> ObservedStore | AsyncObservedStore:
    """``store`` wrapped so that every operation is traced and measured.

    A :class:`~remote_store.aio.AsyncStore` is traced the same way (through the same
    observe layer): a span lasts until the awaited call returns, or until an async read
    stream or listing is exhausted or closed.
    """
    return observe(
        store,
        **otel_hooks(tracer_name=tracer_name, meter_name=meter_name, tracer=tracer, meter=meter),
    )
