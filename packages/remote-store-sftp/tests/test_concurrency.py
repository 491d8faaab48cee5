"""One store shared by many threads (and by asyncio.gather through threads)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from remote_store import Store
from remote_store.errors import AlreadyExists
from remote_store_sftp import SFTPBackend

Make = Callable[..., SFTPBackend]
THREADS = 16
ROUNDS = 6


def _worker(store: Store, n: int) -> int:
    done = 0
    for r in range(ROUNDS):
        key = f"t{n}/r{r}.bin"
        payload = os.urandom(1000 + 97 * n + r)
        store.write(key, payload)
        assert store.read_bytes(key) == payload
        store.copy(key, f"t{n}/copy{r}.bin")
        store.move(f"t{n}/copy{r}.bin", f"t{n}/moved{r}.bin")
        assert store.get_file_info(f"t{n}/moved{r}.bin").size == len(payload)
        assert any(str(f.path) == key for f in store.list_files(f"t{n}"))
        try:  # every thread races for the same create-only key
            store.write(f"shared/r{r}", str(n).encode())
        except AlreadyExists:
            pass
        with store.read(key) as stream:
            assert stream.read(10) == payload[:10]
        store.delete(f"t{n}/moved{r}.bin")
        done += 1
    return done


@pytest.mark.slow
def test_sixteen_threads_mixed_operations(make_backend: Make) -> None:
    store = Store(make_backend(max_connections=6))
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(_worker, store, n) for n in range(THREADS)]
        results = [f.result(timeout=240) for f in futures]
    assert results == [ROUNDS] * THREADS
    winners = [store.read_text(f"shared/r{r}") for r in range(ROUNDS)]
    assert all(w.isdigit() and 0 <= int(w) < THREADS for w in winners)
    files = list(store.list_files("", recursive=True))
    assert len(files) == THREADS * ROUNDS + ROUNDS


def test_asyncio_gather_through_threads(make_backend: Make) -> None:
    store = Store(make_backend(max_connections=4))

    async def main() -> list[bytes]:
        await asyncio.gather(
            *(asyncio.to_thread(store.write, f"k{i}", bytes([i]) * 100) for i in range(24))
        )
        return list(
            await asyncio.gather(*(asyncio.to_thread(store.read_bytes, f"k{i}") for i in range(24)))
        )

    assert asyncio.run(main()) == [bytes([i]) * 100 for i in range(24)]


def test_asyncio_gather_through_sync_backend_adapter(make_backend: Make) -> None:
    from remote_store.aio import AsyncStore

    async def main() -> list[bytes]:
        store = AsyncStore(make_backend(max_connections=4))
        await asyncio.gather(*(store.write(f"a{i}", bytes([i]) * 50) for i in range(20)))
        found = await asyncio.gather(*(store.read_bytes(f"a{i}") for i in range(20)))
        return list(found)

    assert asyncio.run(main()) == [bytes([i]) * 50 for i in range(20)]


def test_racing_create_only_writers_one_wins(make_backend: Make) -> None:
    store = Store(make_backend(max_connections=8))

    def attempt(n: int) -> bool:
        try:
            store.write("race.txt", str(n).encode())
        except AlreadyExists:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(attempt, range(8)))
    assert wins.count(True) == 1
    assert store.read_text("race.txt") == str(wins.index(True))
