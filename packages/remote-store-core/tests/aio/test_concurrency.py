"""200 concurrent AsyncStore operations through each adapter finish, without deadlock."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from remote_store.aio import (
    AsyncBackendSyncAdapter,
    AsyncMemoryBackend,
    AsyncStore,
    SyncBackendAdapter,
)
from remote_store.backends import LocalBackend
from rs_aio_testing import run

OPERATIONS = 200


async def _payload(index: int, pieces: int = 4) -> AsyncIterator[bytes]:
    for piece in range(pieces):
        await asyncio.sleep(0)
        yield f"{index}:{piece};".encode() * 512


def _expected(index: int, pieces: int = 4) -> bytes:
    return b"".join(f"{index}:{piece};".encode() * 512 for piece in range(pieces))


async def _mixed_operations(store: AsyncStore) -> None:
    """Streamed writes, reads, copies fed by reads, listings and deletes, all at once."""
    for index in range(OPERATIONS // 4):
        await store.write(f"seed/{index}", _expected(index))

    async def one(index: int) -> None:
        kind = index % 4
        if kind == 0:
            await store.write(f"out/{index}", _payload(index))
            assert await store.read_bytes(f"out/{index}") == _expected(index)
        elif kind == 1:
            source = index // 4
            chunks = [chunk async for chunk in store.read(f"seed/{source}")]
            assert b"".join(chunks) == _expected(source)
        elif kind == 2:  # a write whose source is a read through the same adapter
            source = index // 4
            await store.write(f"copied/{index}", store.read(f"seed/{source}"))
            assert await store.read_bytes(f"copied/{index}") == _expected(source)
        else:
            names = [info.name async for info in store.list_files("seed")]
            assert len(names) == OPERATIONS // 4
            await store.write_atomic(f"tmp/{index}", _payload(index, 2))
            await store.delete(f"tmp/{index}")

    await asyncio.gather(*(one(index) for index in range(OPERATIONS)))
    assert len([f async for f in store.list_files("out")]) == OPERATIONS // 4
    assert len([f async for f in store.list_files("copied")]) == OPERATIONS // 4
    assert [f async for f in store.list_files("tmp")] == []


async def _cancel_half_of_the_writes(store: AsyncStore) -> None:
    """Cancelled streamed writes leave nothing; the others complete."""
    gates = [asyncio.Event() for _ in range(40)]

    async def held(index: int) -> AsyncIterator[bytes]:
        yield b"first part " * 1000
        await gates[index].wait()
        yield b"second part"

    tasks = [asyncio.create_task(store.write(f"c/{i}", held(i))) for i in range(40)]
    await asyncio.sleep(0.05)
    for index, task in enumerate(tasks):
        if index % 2:
            task.cancel()
        else:
            gates[index].set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for index, outcome in enumerate(outcomes):
        if index % 2:
            assert isinstance(outcome, asyncio.CancelledError)
            assert not await store.exists(f"c/{index}")
        else:
            assert not isinstance(outcome, BaseException)
            assert (await store.read_bytes(f"c/{index}")).endswith(b"second part")


@pytest.mark.slow
def test_through_sync_backend_adapter(tmp_path: Path) -> None:
    async def body() -> None:
        # few threads on purpose: contention must slow things down, never deadlock them
        adapter = SyncBackendAdapter(LocalBackend(tmp_path), max_workers=4, max_streaming_writes=4)
        async with AsyncStore(adapter) as store:
            await _mixed_operations(store)
            await _cancel_half_of_the_writes(store)

    run(body(), timeout=120)
    assert len(list((tmp_path / "out").iterdir())) == OPERATIONS // 4  # on the disk itself


@pytest.mark.slow
def test_through_async_backend_sync_adapter() -> None:
    async def body() -> None:
        bridge = AsyncBackendSyncAdapter(AsyncMemoryBackend())
        adapter = SyncBackendAdapter(bridge, max_workers=4, max_streaming_writes=4)
        async with AsyncStore(adapter) as store:
            await _mixed_operations(store)
            await _cancel_half_of_the_writes(store)
        await asyncio.to_thread(bridge.close)
        assert bridge._runner.stopped

    run(body(), timeout=120)


class _SlowExists(LocalBackend):
    def exists(self, path: str) -> bool:
        time.sleep(0.3)
        return super().exists(path)


def _adapter_threads() -> set[threading.Thread]:
    prefixes = ("rs-aio-call", "rs-aio-write")
    return {t for t in threading.enumerate() if t.name.startswith(prefixes)}


def test_sync_backend_adapter_aclose_waits_for_its_worker_threads(tmp_path: Path) -> None:
    async def body() -> None:
        before = _adapter_threads()
        store = AsyncStore(SyncBackendAdapter(_SlowExists(tmp_path)))
        await store.write("f", _payload(1))  # a thread of the streamed-write pool
        running = asyncio.ensure_future(store.exists("f"))  # a call pool thread, for 0.3 s
        await asyncio.sleep(0.05)
        await store.aclose()
        assert _adapter_threads() - before == set()
        assert await running

    run(body(), timeout=60)
