"""A sync Store over AsyncBackendSyncAdapter(AsyncMemoryBackend): behaviour, threads, shutdown."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from remote_store import Store
from remote_store.aio import AsyncBackendSyncAdapter, AsyncMemoryBackend, RunningEventLoopError
from remote_store.errors import AlreadyExists, InvalidArgument, NotFound, RemoteStoreError


@pytest.fixture
def store() -> Iterator[Store]:
    store = Store(AsyncBackendSyncAdapter(AsyncMemoryBackend()))
    yield store
    store.close()


def _bridge_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("rs-aio-")]


def test_exported_at_the_top_level_as_in_0_27() -> None:
    from importlib import import_module

    assert import_module("remote_store").AsyncBackendSyncAdapter is AsyncBackendSyncAdapter


def test_round_trip_and_streamed_read(store: Store) -> None:
    data = bytes(range(256)) * 10_000  # several chunks
    store.write("a/b.bin", io.BytesIO(data))
    with store.read("a/b.bin") as stream:
        first = stream.read(10)
        rest = stream.read()
    assert first + rest == data
    assert store.read_bytes("a/b.bin") == data
    assert store.get_file_info("a/b.bin").size == len(data)


def test_errors_and_overwrite_rules(store: Store) -> None:
    with pytest.raises(NotFound):
        store.read("missing")
    store.write("f", b"1")
    with pytest.raises(AlreadyExists):
        store.write("f", b"2")
    store.write("f", io.BytesIO(b"3"), overwrite=True)
    assert store.read_bytes("f") == b"3"


def test_listings_stream_in_order(store: Store) -> None:
    for index in range(600):  # more than one page
        store.write(f"many/{index:04d}", b"x")
    names = [info.name for info in store.list_files("many")]
    assert names == [f"{index:04d}" for index in range(600)]
    assert [str(f.path) for f in store.list_folders("")] == ["many"]
    first = next(iter(store.list_files("many")))  # abandoned listing: closed cleanly
    assert first.name == "0000"


def test_open_atomic_spools_and_commits(store: Store) -> None:
    with store.open_atomic("atomic.bin") as sink:
        sink.write(b"x" * (9 * 1024 * 1024))  # beyond the 8 MiB kept in memory
    assert store.get_file_info("atomic.bin").size == 9 * 1024 * 1024
    with pytest.raises(RuntimeError):
        with store.open_atomic("atomic.bin", overwrite=True) as sink:
            sink.write(b"no")
            raise RuntimeError("abandon")
    assert store.get_file_info("atomic.bin").size == 9 * 1024 * 1024


def test_a_failing_sync_source_leaves_the_old_file(store: Store) -> None:
    class Broken(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError("disk gone")
            return b"chunk"

    store.write("keep", b"old")
    with pytest.raises((OSError, RemoteStoreError)):
        store.write("keep", Broken(), overwrite=True)  # type: ignore[arg-type]
    assert store.read_bytes("keep") == b"old"


def test_refuses_to_block_a_running_loop(store: Store) -> None:
    store.write("f", b"x")

    async def inside_a_loop() -> None:
        store.read_bytes("f")

    with pytest.raises(RunningEventLoopError) as caught:
        asyncio.run(inside_a_loop())
    assert isinstance(caught.value, InvalidArgument)
    assert isinstance(caught.value, RuntimeError)
    assert "AsyncStore" in str(caught.value)


def test_threads_share_one_adapter(store: Store) -> None:
    def work(index: int) -> bytes:
        payload = f"thread {index}".encode() * 1000
        store.write(f"t/{index}", io.BytesIO(payload))
        assert store.exists(f"t/{index}")
        return store.read_bytes(f"t/{index}")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(64)))
    assert results == [f"thread {index}".encode() * 1000 for index in range(64)]
    assert len(list(store.list_files("t"))) == 64


def test_close_leaves_no_thread_behind() -> None:
    before = set(_bridge_threads())
    adapter = AsyncBackendSyncAdapter(AsyncMemoryBackend())
    assert len(set(_bridge_threads()) - before) == 1
    adapter.write("f", b"x")
    adapter.close()
    adapter.close()  # idempotent
    assert set(_bridge_threads()) - before == set()
    with pytest.raises(RemoteStoreError):
        adapter.read_bytes("f")


def test_a_dropped_adapter_stops_its_thread() -> None:
    import gc

    before = set(_bridge_threads())
    adapter = AsyncBackendSyncAdapter(AsyncMemoryBackend())
    adapter.write("f", b"x")
    del adapter
    gc.collect()
    leftover = set(_bridge_threads()) - before
    for thread in leftover:
        thread.join(10)
    assert not [t for t in leftover if t.is_alive()]


def test_interpreter_exits_with_an_open_adapter() -> None:
    script = (
        "from remote_store import AsyncBackendSyncAdapter, Store\n"
        "from remote_store.aio import AsyncMemoryBackend\n"
        "store = Store(AsyncBackendSyncAdapter(AsyncMemoryBackend()))\n"
        "store.write('f', b'x')\n"
        "reader = store.read('f')\n"  # left open on purpose
        "print(store.read_bytes('f').decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "x"
