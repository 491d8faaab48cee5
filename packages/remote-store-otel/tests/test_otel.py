"""Spans and metrics captured with the OpenTelemetry SDK's in-memory exporters."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from remote_store import NotFound, ProxyStore, Registry, RegistryConfig, Store
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.discovery import reset_plugin_manager


@pytest.fixture
def telemetry() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader, dict[str, Any]]]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    options = {
        "tracer": tracer_provider.get_tracer("test"),
        "meter": meter_provider.get_meter("test"),
    }
    yield exporter, reader, options
    meter_provider.shutdown()
    tracer_provider.shutdown()


def _metric_points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    points: dict[str, list[Any]] = {}
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                points.setdefault(metric.name, []).extend(metric.data.data_points)
    return points


@pytest.mark.parametrize(
    "make", [MemoryBackend, lambda: LocalBackend(root=".")], ids=["memory", "local"]
)
def test_each_operation_is_one_client_span_named_after_it(
    telemetry: Any, make: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from remote_store.ext.otel import otel_observe

    monkeypatch.chdir(tmp_path)
    exporter, _, options = telemetry
    store = otel_observe(Store(make()), **options)
    store.write("a/b.txt", b"hello")
    with store.read("a/b.txt") as stream:
        assert stream.read() == b"hello"
    assert [info.name for info in store.list_files("a")] == ["b.txt"]
    spans = exporter.get_finished_spans()
    assert [span.name for span in spans] == [
        "remote_store.write",
        "remote_store.read",
        "remote_store.list_files",
    ]
    assert all(span.kind is SpanKind.CLIENT for span in spans)
    assert spans[0].attributes["remote_store.backend"] == store.backend.name
    assert spans[0].attributes["remote_store.path"] == "a/b.txt"
    assert all(span.status.status_code is StatusCode.UNSET for span in spans)


def test_a_failed_operation_has_error_status_and_error_type(telemetry: Any) -> None:
    from remote_store.ext.otel import otel_observe

    exporter, reader, options = telemetry
    store = otel_observe(Store(MemoryBackend()), **options)
    with pytest.raises(NotFound):
        store.read_bytes("missing.txt")
    (span,) = exporter.get_finished_spans()
    assert span.name == "remote_store.read_bytes"
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "NotFound"
    assert any(event.name == "exception" for event in span.events)
    durations = _metric_points(reader)["remote_store.operation.duration"]
    assert any(point.attributes.get("error.type") == "NotFound" for point in durations)


def test_metrics_count_bytes_and_durations(telemetry: Any) -> None:
    from remote_store.ext.otel import otel_observe

    _, reader, options = telemetry
    store = otel_observe(Store(MemoryBackend()), **options)
    store.write("x.bin", b"12345")
    assert store.read_bytes("x.bin") == b"12345"
    points = _metric_points(reader)
    by_direction = {
        point.attributes["remote_store.io.direction"]: point.value
        for point in points["remote_store.io.size"]
    }
    assert by_direction == {"write": 5, "read": 5}
    assert sum(point.count for point in points["remote_store.operation.duration"]) == 2


def test_an_async_store_is_traced_like_a_sync_one(telemetry: Any) -> None:
    from remote_store.aio import AsyncMemoryBackend, AsyncStore
    from remote_store.ext.otel import otel_observe

    exporter, reader, options = telemetry

    async def scenario() -> None:
        store = otel_observe(AsyncStore(AsyncMemoryBackend()), **options)
        await store.write("a/b.txt", b"hello")
        async with store.read("a/b.txt") as stream:
            assert await stream.read() == b"hello"
        assert [info.name async for info in store.list_files("a")] == ["b.txt"]
        with pytest.raises(NotFound):
            await store.read_bytes("missing.txt")

    asyncio.run(scenario())
    spans = exporter.get_finished_spans()
    assert [span.name for span in spans] == [
        "remote_store.write",
        "remote_store.read",
        "remote_store.list_files",
        "remote_store.read_bytes",
    ]
    assert spans[0].attributes["remote_store.path"] == "a/b.txt"
    assert spans[3].status.status_code is StatusCode.ERROR
    by_direction = {
        point.attributes["remote_store.io.direction"]: point.value
        for point in _metric_points(reader)["remote_store.io.size"]
    }
    assert by_direction == {"write": 5, "read": 5}


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_registry_layers_are_cache_inside_otel_inside_observe(tmp_path: Path, flavour: str) -> None:
    """The documented order (docs/architecture.md): observe outermost, then otel, then
    cache next to the store, whatever order the plugins registered in; the same for the
    AsyncStore of ``get_async_store``."""
    from remote_store.aio import AsyncProxyStore
    from remote_store.ext.observe import ObserveLayer

    reset_plugin_manager()
    options = {"cache": True, "otel": True, "observe": True}
    config = RegistryConfig.from_dict(
        {
            "backends": {"disk": {"type": "local", "options": {"root": str(tmp_path)}}},
            "stores": {"layered": {"backend": "disk", "options": options}},
        }
    )
    with Registry(config) as registry:
        store: Any = (
            registry.get_store("layered")
            if flavour == "sync"
            else registry.get_async_store("layered")
        )
        chain = []
        while isinstance(store, (ProxyStore, AsyncProxyStore)):
            layer = getattr(store, "_layer", None)
            traced = isinstance(layer, ObserveLayer) and layer.hooks.around is not None
            chain.append("otel" if traced else type(store).__name__.removeprefix("Async"))
            store = store.inner
    assert chain == ["ObservedStore", "otel", "CachedStore"]


def test_a_registry_profile_with_otel_is_traced(tmp_path: Path) -> None:
    from opentelemetry import trace

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    reset_plugin_manager()
    config = RegistryConfig.from_dict(
        {
            "backends": {"disk": {"type": "local", "options": {"root": str(tmp_path)}}},
            "stores": {"traced": {"backend": "disk", "options": {"otel": True}}},
        }
    )
    with Registry(config) as registry:
        registry.get_store("traced").write("t.txt", b"x")
        asyncio.run(registry.get_async_store("traced").write("u.txt", b"x"))
    spans = [span.name for span in exporter.get_finished_spans()]
    assert spans == ["remote_store.write", "remote_store.write"]


def test_a_backend_retry_is_a_span_event_and_a_counted_metric(
    telemetry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry import trace
    from remote_store.backend import RetryPolicy, call_with_retry
    from remote_store.errors import BackendUnavailable

    exporter, reader, options = telemetry
    monkeypatch.setattr("remote_store_otel.hooks.metrics.get_meter", lambda name: options["meter"])
    reset_plugin_manager()  # the otel plugin is found through its entry point
    calls = 0

    def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise BackendUnavailable("slow down")
        return "ok"

    policy = RetryPolicy(max_attempts=2, backoff_base=0.0, jitter=0.0)
    with options["tracer"].start_as_current_span("job"):
        assert trace.get_current_span().is_recording()
        call_with_retry(policy, flaky, sleep=lambda s: None, backend="s3", name="get_object")
    (span,) = exporter.get_finished_spans()
    (event,) = span.events
    assert event.name == "remote_store.retry"
    assert event.attributes["remote_store.operation"] == "get_object"
    assert event.attributes["remote_store.retry.attempt"] == 2
    assert event.attributes["error.type"] == "BackendUnavailable"
    (point,) = _metric_points(reader)["remote_store.retries"]
    assert point.value == 1 and point.attributes["remote_store.backend"] == "s3"
