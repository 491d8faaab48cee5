"""The middleware layers behave the same on a sync Store and an AsyncStore.

Each test runs once per flavour through a driver that performs an operation to its end
(awaiting, collecting a listing, reading a stream) so the same expectations apply to both.
"""

from __future__ import annotations

import asyncio
import inspect
import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from remote_store import InvalidPath, NotFound, ProxyStore, Store
from remote_store.aio import AsyncMemoryBackend, AsyncProxyStore, AsyncStore
from remote_store.backends import MemoryBackend
from remote_store.errors import AlreadyExists, RemoteStoreError
from remote_store.ext.cache import cache
from remote_store.ext.observe import StoreEvent, observe
from remote_store.layers import Call, Hit, Layer, Watch


class Driver:
    """Runs store operations to completion, sync or async."""

    def __init__(self, is_async: bool) -> None:
        self.is_async = is_async
        self._runner = asyncio.Runner() if is_async else None

    def store(self) -> Any:
        return AsyncStore(AsyncMemoryBackend()) if self.is_async else Store(MemoryBackend())

    def breaking_store(self) -> Any:
        """A store whose listings and reads fail after their first item."""
        if self.is_async:
            return AsyncStore(_AsyncBreaksMidway())
        return Store(_BreaksMidway())

    def proxy(self, inner: Any, layer: Layer) -> Any:
        return (
            AsyncProxyStore(inner, layer=layer) if self.is_async else ProxyStore(inner, layer=layer)
        )

    def run(self, awaitable: Any) -> Any:
        assert self._runner is not None
        return self._runner.run(awaitable)

    def __call__(self, store: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
        """The outcome of ``operation``: its value, a listing as a list, a read's bytes."""
        if operation == "read":
            return self.read(store, args[0])
        result = getattr(store, operation)(*args, **kwargs)
        if isinstance(result, Iterator):
            return list(result)
        if isinstance(result, AsyncIterator):
            return self.run(_collect(result))
        if inspect.isawaitable(result):
            return self.run(result)
        return result

    def read(self, store: Any, path: str) -> bytes:
        if not self.is_async:  # in chunks, as an async reader gets them
            with store.read(path) as stream:
                return b"".join(iter(lambda: bytes(stream.read(4)), b""))

        async def whole() -> bytes:
            async with store.read(path) as stream:
                return bytes(await stream.read())

        return bytes(self.run(whole()))

    def first_and_close(self, store: Any, operation: str, *args: Any) -> Any:
        """Take one item of a listing or read stream, then close it."""
        if not self.is_async:
            source = getattr(store, operation)(*args)
            if operation == "read":
                first = source.read(1)
                source.close()
                return first
            first = next(source)
            source.close()
            return first

        async def scenario() -> Any:
            source = getattr(store, operation)(*args)
            first = await source.__anext__()
            await source.aclose()
            return first

        return self.run(scenario())

    def write_atomic_block(self, store: Any, path: str, data: bytes) -> Any:
        if not self.is_async:
            context = store.open_atomic(path)
            with context as sink:
                sink.write(data)
            return context.result

        async def scenario() -> Any:
            context = store.open_atomic(path)
            async with context as sink:
                await sink.write(data)
            return context.result

        return self.run(scenario())

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()


async def _collect(source: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in source]


@pytest.fixture(params=["sync", "async"])
def drive(request: pytest.FixtureRequest) -> Iterator[Driver]:
    driver = Driver(request.param == "async")
    yield driver
    driver.close()


def _summary(event: StoreEvent) -> tuple[Any, ...]:
    error = type(event.error).__name__ if event.error is not None else None
    return (event.operation, event.path, dict(event.metadata), error)


# -- observe ---------------------------------------------------------------------------


def test_observe_emits_the_same_events_on_both_flavours(drive: Driver) -> None:
    events: list[StoreEvent] = []
    store = observe(drive.store(), on_any=events.append)
    drive(store, "write", "a.txt", b"hello")
    drive(store, "write_text", "t.txt", "hi")
    assert drive(store, "exists", "a.txt") is True
    assert drive(store, "read_bytes", "a.txt") == b"hello"
    assert drive(store, "read_text", "t.txt") == "hi"
    assert drive(store, "read", "a.txt") == b"hello"
    assert len(drive(store, "list_files", "")) == 2
    assert len(drive(store, "iter_children", "")) == 2
    drive(store, "copy", "a.txt", "b.txt")
    drive(store, "move", "b.txt", "c.txt")
    drive(store, "delete", "c.txt")
    drive(store, "delete_many", ["t.txt", "nope.txt"], missing_ok=True)
    assert drive.write_atomic_block(store, "d.txt", b"abc").size == 3
    with pytest.raises(NotFound):
        drive(store, "read_bytes", "missing.txt")
    drive(store, "ping")
    assert [_summary(e) for e in events] == [
        ("write", "a.txt", {"bytes": 5}, None),
        ("write_text", "t.txt", {"bytes": 2}, None),
        ("exists", "a.txt", {"result": True}, None),
        ("read_bytes", "a.txt", {"bytes": 5}, None),
        ("read_text", "t.txt", {"bytes": 2}, None),
        ("read", "a.txt", {"bytes": 5, "completed": True}, None),
        ("list_files", "", {"entries": 2, "completed": True}, None),
        ("iter_children", "", {"entries": 2, "completed": True}, None),
        ("copy", "a.txt", {"dst": "b.txt"}, None),
        ("move", "b.txt", {"dst": "c.txt"}, None),
        ("delete", "c.txt", {}, None),
        ("delete_many", "t.txt,nope.txt", {}, None),
        ("open_atomic", "d.txt", {"bytes": 3}, None),
        ("read_bytes", "missing.txt", {}, "NotFound"),
        ("ping", "", {}, None),
    ]
    assert all(e.backend == "memory" for e in events)


def test_a_listing_or_stream_closed_early_is_observed_incomplete(drive: Driver) -> None:
    events: list[StoreEvent] = []
    store = observe(drive.store(), on_any=events.append)
    for name in ("x/1.txt", "x/2.txt", "x/3.txt"):
        drive(store, "write", name, b"0123456789")
    events.clear()
    drive.first_and_close(store, "list_files", "x")
    assert [_summary(e) for e in events] == [
        ("list_files", "x", {"entries": 1, "completed": False}, None)
    ]
    events.clear()
    first = drive.first_and_close(store, "read", "x/1.txt")
    assert first and b"0123456789".startswith(first)
    assert len(events) == 1 and events[0].metadata["completed"] is False


def test_an_invalid_path_fails_at_the_call_and_is_an_error_event(drive: Driver) -> None:
    events: list[StoreEvent] = []
    store = observe(drive.store(), on_any=events.append)
    with pytest.raises(InvalidPath):
        drive(store, "read_bytes", "../escape.txt")
    assert [e.operation for e in events] == ["read_bytes"]
    assert isinstance(events[0].error, InvalidPath)


def test_a_failing_callback_never_breaks_the_operation(drive: Driver) -> None:
    def broken(event: StoreEvent) -> None:
        raise RuntimeError("observer bug")

    store = observe(drive.store(), on_any=broken)
    drive(store, "write", "a.txt", b"1")
    assert drive(store, "read_bytes", "a.txt") == b"1"


# -- cache -----------------------------------------------------------------------------


def test_cache_hits_and_invalidations_are_the_same_on_both_flavours(drive: Driver) -> None:
    inner = drive.store()
    cached = cache(inner)
    drive(cached, "write", "r/a.txt", b"one")
    assert drive(cached, "read_bytes", "r/a.txt") == b"one"
    assert drive(cached, "read_bytes", "r/a.txt") == b"one"
    assert drive(cached, "read_text", "r/a.txt") == "one"
    assert [str(f.path) for f in drive(cached, "list_files", "r")] == ["r/a.txt"]
    assert [str(f.path) for f in drive(cached, "list_files", "r")] == ["r/a.txt"]
    assert drive(cached, "exists", "r/a.txt") is True
    assert drive(cached, "exists", "r/a.txt") is True
    assert (cached.stats.hits, cached.stats.misses) == (4, 3)

    drive(cached, "write", "r/b.txt", b"two")  # invalidates the listing of r/
    assert [str(f.path) for f in drive(cached, "list_files", "r")] == ["r/a.txt", "r/b.txt"]
    drive(cached, "delete", "r/a.txt")
    assert drive(cached, "exists", "r/a.txt") is False
    with pytest.raises(NotFound):
        drive(cached, "read_bytes", "r/a.txt")


def test_a_read_stream_fills_the_cache_only_when_read_to_its_end(drive: Driver) -> None:
    cached = cache(drive.store())
    drive(cached, "write", "big.bin", b"0123456789" * 10)
    drive.first_and_close(cached, "read", "big.bin")
    assert cached.stats.size == 0
    assert drive(cached, "read", "big.bin") == b"0123456789" * 10
    assert cached.stats.size == 1
    assert drive(cached, "read", "big.bin") == b"0123456789" * 10
    assert cached.stats.hits == 1


def test_a_listing_closed_early_is_not_cached(drive: Driver) -> None:
    cached = cache(drive.store())
    for name in ("x/1.txt", "x/2.txt"):
        drive(cached, "write", name, b"1")
    drive.first_and_close(cached, "list_files", "x")
    drive(cached, "write", "x/3.txt", b"1")
    assert len(drive(cached, "list_files", "x")) == 3


def test_a_failed_mutation_still_invalidates(drive: Driver) -> None:
    inner = drive.store()
    cached = cache(inner)
    drive(cached, "write", "a.txt", b"old")
    assert drive(cached, "read_bytes", "a.txt") == b"old"
    drive(inner, "write", "a.txt", b"new", overwrite=True)  # behind the cache's back
    with pytest.raises(AlreadyExists):
        drive(cached, "write", "a.txt", b"x")  # fails, and forgets a.txt
    assert drive(cached, "read_bytes", "a.txt") == b"new"


def test_children_share_the_layer(drive: Driver) -> None:
    events: list[StoreEvent] = []
    cached = cache(drive.store())
    child = cached.child("sub")
    assert type(child) is type(cached)
    drive(child, "write", "a.txt", b"1")
    assert drive(cached, "read_bytes", "sub/a.txt") == b"1"
    assert drive(cached, "read_bytes", "sub/a.txt") == b"1"
    assert cached.stats.hits == 1  # the child's counters are the parent's
    drive(child, "write", "a.txt", b"2", overwrite=True)  # invalidates the parent's entry
    assert drive(cached, "read_bytes", "sub/a.txt") == b"2"
    observed = observe(drive.store(), on_any=events.append)
    drive(observed.child("sub"), "write", "b.txt", b"1")
    assert [(e.operation, e.path) for e in events] == [("write", "b.txt")]


# -- failures in the middle of a listing or a stream ----------------------------------


class _BreaksMidway(MemoryBackend):
    """Listings and reads that fail after their first item (a dropped connection)."""

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[Any]:
        yield next(iter(super().list_files(path, recursive=recursive, max_depth=max_depth)))
        raise ConnectionResetError("dropped")

    def read(self, path: str) -> Any:
        return _DropsAfterFirstRead(super().read_bytes(path))


class _DropsAfterFirstRead(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        if self.reads > 1:
            raise ConnectionResetError("dropped")
        return super().read(1)


class _AsyncBreaksMidway(AsyncMemoryBackend):
    """The async twin of :class:`_BreaksMidway`."""

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> AsyncIterator[Any]:
        return _first_then_drop(super().list_files(path, recursive=recursive, max_depth=max_depth))

    def read(self, path: str) -> AsyncIterator[bytes]:
        return _first_then_drop(super().read(path))


async def _first_then_drop(source: AsyncIterator[Any]) -> AsyncIterator[Any]:
    yield await source.__anext__()
    raise ConnectionResetError("dropped")


def test_a_failure_part_way_is_an_error_event_and_nothing_is_cached(drive: Driver) -> None:
    events: list[StoreEvent] = []
    inner = drive.breaking_store()
    for name in ("x/1.txt", "x/2.txt"):
        drive(inner, "write", name, b"0123456789")
    store = observe(cache(inner), on_any=events.append)
    for _ in range(2):  # the second attempt fails again: no truncated listing was cached
        with pytest.raises(RemoteStoreError):
            drive(store, "list_files", "x")
        with pytest.raises(RemoteStoreError):
            drive(store, "read", "x/1.txt")
    assert [(e.operation, e.metadata["completed"], e.error is not None) for e in events] == [
        ("list_files", False, True),
        ("read", False, True),
    ] * 2
    assert [e.metadata.get("entries") for e in events[::2]] == [1, 1]
    assert store.inner.stats.size == 0


# -- composition -----------------------------------------------------------------------


def test_observe_outside_cache_sees_hits_inside_sees_misses_only(drive: Driver) -> None:
    outer: list[StoreEvent] = []
    inner: list[StoreEvent] = []
    base = drive.store()
    drive(base, "write", "a.txt", b"1")
    observed_cache = observe(cache(observe(base, on_any=inner.append)), on_any=outer.append)
    for _ in range(3):
        assert drive(observed_cache, "read_bytes", "a.txt") == b"1"
    assert [e.operation for e in outer] == ["read_bytes"] * 3
    assert [e.operation for e in inner] == ["read_bytes"]


class _Recorder(Layer):
    """A layer written once: records each call and its outcome; answers ``exists`` of
    ``always.txt`` itself."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any, Any]] = []

    def start(self, call: Call) -> Watch | Hit | None:
        if call.op.name == "exists" and call.path == "always.txt":
            return Hit(True)
        recorder = self

        class _Seen(Watch):
            def __init__(self) -> None:
                self.items = 0

            def item(self, value: Any) -> None:
                self.items += 1

            def finish(self, result: Any, error: BaseException | None, completed: bool) -> None:
                outcome = type(error).__name__ if error else (self.items or result)
                recorder.seen.append((call.op.name, call.path, outcome))

        return _Seen()


def test_one_layer_serves_both_flavours(drive: Driver) -> None:
    layer = _Recorder()
    store = drive.proxy(drive.store(), layer)
    drive(store, "write", "a/1.txt", b"1")
    assert drive(store, "exists", "always.txt") is True  # answered by the layer
    assert drive(store, "exists", "nope.txt") is False
    assert len(drive(store, "list_folders", "")) == 1
    with pytest.raises(NotFound):
        drive(store, "get_file_info", "nope.txt")
    assert [(op, path) for op, path, _ in layer.seen] == [
        ("write", "a/1.txt"),
        ("exists", "nope.txt"),
        ("list_folders", ""),
        ("get_file_info", "nope.txt"),
    ]
    assert layer.seen[1][2] is False and layer.seen[2][2] == 1
    assert layer.seen[3][2] == "NotFound"


class _CountsWrites(ProxyStore):
    """A hand-written middleware overriding only ``write``."""

    writes = 0

    def write(self, path: str, content: Any, **kwargs: Any) -> Any:
        type(self).writes += 1
        return super().write(path, content, **kwargs)


class _AsyncCountsWrites(AsyncProxyStore):
    writes = 0

    async def write(self, path: str, content: Any, **kwargs: Any) -> Any:
        type(self).writes += 1
        return await super().write(path, content, **kwargs)


def test_a_subclass_overriding_write_sees_text_writes(drive: Driver) -> None:
    counting = _AsyncCountsWrites if drive.is_async else _CountsWrites
    counting.writes = 0
    store = counting(drive.store())
    drive(store, "write_text", "t.txt", "text")
    assert counting.writes == 1
    assert drive(store, "read_text", "t.txt") == "text"
