"""ext.observe: one event per operation, streamed listings and reads, safe hooks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from remote_store import NotFound, RemoteStoreError, Store
from remote_store.backends import LocalBackend
from remote_store.errors import ConfigError, InvalidArgument
from remote_store.ext.observe import (
    BufferedObserver,
    EventLogger,
    ObservedStore,
    StoreEvent,
    observe,
    reset_correlation_id,
    set_correlation_id,
)
from remote_store.ext.observe import remote_store_wrap_store as wrap_store


@pytest.fixture
def events() -> list[StoreEvent]:
    return []


@pytest.fixture
def observed(tree: Store, events: list[StoreEvent]) -> ObservedStore:
    return observe(tree, on_any=events.append)


def test_each_operation_emits_one_event_to_its_group(tree: Store) -> None:
    groups: dict[str, list[str]] = {}

    def recorder(group: str):  # type: ignore[no-untyped-def]
        return lambda event: groups.setdefault(group, []).append(event.operation)

    names = ["on_read", "on_write", "on_delete", "on_copy", "on_move", "on_list", "on_ping"]
    store = observe(tree, **{name: recorder(name) for name in names})
    store.read_bytes("a.txt")
    store.read_text("a.txt")
    store.write("b.txt", b"b")
    store.write_text("c.txt", "c")
    store.write_atomic("d.txt", b"d")
    store.copy("b.txt", "e.txt")
    store.move("e.txt", "f.txt")
    store.delete("f.txt")
    store.exists("a.txt")
    store.get_file_info("a.txt")
    list(store.list_folders(""))
    store.ping()
    store.delete_folder("docs", recursive=True)
    assert groups == {
        "on_read": ["read_bytes", "read_text"],
        "on_write": ["write", "write_text", "write_atomic"],
        "on_copy": ["copy"],
        "on_move": ["move"],
        "on_delete": ["delete", "delete_folder"],
        "on_list": ["exists", "get_file_info", "list_folders"],
        "on_ping": ["ping"],
    }


def test_event_fields(observed: ObservedStore, events: list[StoreEvent]) -> None:
    token = set_correlation_id("req-1")
    try:
        observed.write("new.bin", b"12345")
    finally:
        reset_correlation_id(token)
    observed.move("new.bin", "moved.bin")
    write, move = events
    assert (write.operation, write.path, write.metadata["bytes"]) == ("write", "new.bin", 5)
    assert write.correlation_id == "req-1" and move.correlation_id is None
    assert write.backend == observed.backend.name
    assert write.error is None and write.duration_ms >= 0
    assert move.metadata["dst"] == "moved.bin"


def test_listing_event_fires_when_exhausted_with_entry_count(
    observed: ObservedStore, events: list[StoreEvent]
) -> None:
    listing = observed.list_files("", recursive=True)
    assert events == []  # nothing happened yet: the listing is lazy
    first = next(listing)
    assert events == [] and first is not None
    rest = list(listing)
    [event] = events
    assert event.operation == "list_files"
    assert event.metadata["entries"] == 1 + len(rest) == 5
    assert event.metadata["completed"] is True


def test_listing_closed_early_reports_incomplete(
    observed: ObservedStore, events: list[StoreEvent]
) -> None:
    listing = observed.iter_children("docs")
    next(listing)
    listing.close()  # type: ignore[attr-defined]
    [event] = events
    assert event.metadata == {"entries": 1, "completed": False}


def test_listing_error_in_the_middle_is_reported(flaky_store: Store) -> None:
    seen: list[StoreEvent] = []
    errors: list[StoreEvent] = []
    store = observe(flaky_store, on_list=seen.append, on_error=errors.append)
    with pytest.raises(RemoteStoreError):
        list(store.list_files("broken"))
    [event] = seen
    assert isinstance(event.error, RemoteStoreError)
    assert event.metadata == {"entries": 2, "completed": False}
    assert errors == [event]


def test_read_stream_event_fires_on_close_with_bytes(
    observed: ObservedStore, events: list[StoreEvent]
) -> None:
    stream = observed.read("docs/readme.md")
    assert stream.read(2) == b"re"
    assert events == []
    assert stream.read() == b"adme"
    stream.close()
    [event] = events
    assert (event.operation, event.metadata["bytes"], event.metadata["completed"]) == (
        "read",
        6,
        True,
    )


def test_read_error_mid_stream_is_reported(flaky_store: Store) -> None:
    seen: list[StoreEvent] = []
    store = observe(flaky_store, on_read=seen.append)
    with pytest.raises(RemoteStoreError):
        with store.read("broken/a.bin") as stream:
            while stream.read(1000):
                pass
    [event] = seen
    assert isinstance(event.error, RemoteStoreError)
    assert event.metadata["bytes"] == 2048  # half of the file arrived before the failure


def test_failed_operation_reports_error_and_raises(
    observed: ObservedStore, events: list[StoreEvent]
) -> None:
    with pytest.raises(NotFound):
        observed.read_bytes("missing.txt")
    with pytest.raises(NotFound):
        observed.read("missing.txt")
    assert [type(e.error) for e in events] == [NotFound, NotFound]


def test_open_atomic_event_after_commit(observed: ObservedStore, events: list[StoreEvent]) -> None:
    with observed.open_atomic("atomic.bin") as stream:
        stream.write(b"abc")
        assert events == []
    [event] = events
    assert event.operation == "open_atomic" and event.metadata["bytes"] == 3
    with pytest.raises(RuntimeError):
        with observed.open_atomic("other.bin") as stream:
            raise RuntimeError("body failed")
    assert isinstance(events[-1].error, RuntimeError)
    assert not observed.exists("other.bin")


def test_hook_exceptions_never_break_the_operation(
    tree: Store, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: StoreEvent) -> None:
        raise ValueError("observer bug")

    @contextmanager
    def broken_around(operation: str, path: str, backend: str) -> Iterator[None]:
        if operation:
            raise RuntimeError("around bug")
        yield

    store = observe(tree, on_read=broken, on_any=broken, around=broken_around)
    with caplog.at_level(logging.WARNING, logger="remote_store.ext.observe"):
        assert store.read_bytes("a.txt") == b"A"
        assert len(list(store.list_files(""))) == 1
    assert sum("observer" in r.getMessage() for r in caplog.records) >= 3
    assert any("around" in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.WARNING for r in caplog.records)


def test_around_wraps_the_whole_operation(tree: Store) -> None:
    log: list[str] = []

    @contextmanager
    def around(operation: str, path: str, backend: str) -> Iterator[None]:
        log.append(f"enter {operation} {path}")
        try:
            yield
        except BaseException as exc:
            log.append(f"error {type(exc).__name__}")
            raise
        finally:
            log.append(f"exit {operation}")

    store = observe(tree, around=around, on_any=lambda e: log.append(f"event {e.operation}"))
    listing = store.list_files("docs")
    log.append("consuming")
    list(listing)
    with pytest.raises(NotFound):
        store.get_file_info("nope")
    assert log == [
        "enter list_files docs",
        "consuming",
        "exit list_files",
        "event list_files",
        "enter get_file_info nope",
        "error NotFound",
        "exit get_file_info",
        "event get_file_info",
    ]


def test_child_keeps_observing(observed: ObservedStore, events: list[StoreEvent]) -> None:
    child = observed.child("docs")
    assert isinstance(child, ObservedStore)
    assert child.read_bytes("readme.md") == b"readme"
    assert events[-1].path == "readme.md"


def test_buffered_observer_delivers_in_background(observed: ObservedStore) -> None:
    got: list[str] = []
    with BufferedObserver(lambda e: got.append(e.operation), max_queue=100) as buffered:
        store = observe(observed.inner, on_any=buffered)
        store.exists("a.txt")
        store.read_bytes("a.txt")
        buffered.flush()
        assert got == ["exists", "read_bytes"]
    assert buffered.dropped == 0
    buffered.on_event(StoreEvent("x", "p", "b", __import__("datetime").datetime.now(), 0.0))
    assert buffered.dropped == 1  # closed: dropped, never blocks


@pytest.mark.parametrize(
    "call",
    [
        lambda s: observe(s, on_read="not callable"),  # type: ignore[call-overload]
        lambda s: observe(s, around=42),  # type: ignore[call-overload]
        lambda s: observe("not a store"),  # type: ignore[call-overload]
        lambda s: BufferedObserver(print, max_queue=0),
        lambda s: set_correlation_id(42),  # type: ignore[arg-type]
    ],
)
def test_bad_input(tree: Store, call: object) -> None:
    with pytest.raises(InvalidArgument):
        call(tree)  # type: ignore[operator]


def test_registry_hook(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(LocalBackend(root=tmp_path))
    store.write("x.txt", b"x")
    assert wrap_store(store=store, profile="p", options={"cache": True}) is None
    assert isinstance(
        wrap_store(store=store, profile="p", options={"observe": True}), ObservedStore
    )
    logged = wrap_store(store=store, profile="p", options={"observe": {"log": True}})
    assert logged is not None
    with caplog.at_level(logging.INFO, logger="remote_store.events"):
        logged.read_bytes("x.txt")
    [record] = [r for r in caplog.records if r.name == "remote_store.events"]
    assert "read_bytes 'x.txt'" in record.getMessage() and "bytes=1" in record.getMessage()
    with pytest.raises(ConfigError, match="unknown observe option"):
        wrap_store(store=store, profile="p", options={"observe": {"lg": True}})
    with pytest.raises(ConfigError):
        wrap_store(store=store, profile="p", options={"observe": {"log": True, "level": "LOUD"}})


def test_event_logger_respects_level(caplog: pytest.LogCaptureFixture) -> None:
    logger = EventLogger("remote_store.test_events", "DEBUG")
    event = StoreEvent("read", "p", "memory", __import__("datetime").datetime.now(), 1.5)
    with caplog.at_level(logging.INFO, logger="remote_store.test_events"):
        logger(event)
    assert caplog.records == []


def test_registry_profile_with_cache_and_observe(caplog: pytest.LogCaptureFixture) -> None:
    from remote_store import Registry, RegistryConfig
    from remote_store.ext.cache import CachedStore

    config = RegistryConfig.from_dict(
        {
            "backends": {"mem": {"type": "memory"}},
            "stores": {
                "data": {
                    "backend": "mem",
                    "options": {"cache": {"ttl": 60}, "observe": {"log": True}},
                }
            },
        }
    )
    store = Registry(config).get_store("data")
    assert isinstance(store, ObservedStore)  # outermost: sees cache hits too
    assert isinstance(store.inner, CachedStore)
    store.write("x.txt", b"1")
    with caplog.at_level(logging.INFO, logger="remote_store.events"):
        store.read_bytes("x.txt")
        store.read_bytes("x.txt")
    assert len([r for r in caplog.records if r.name == "remote_store.events"]) == 2
    assert store.inner.stats.hits == 1
