"""Registry.get_async_store: a profile's options (cache, observe) wrap an AsyncStore as
they wrap a Store, and a type's native async backend is used when one is registered."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from remote_store import Registry, RegistryConfig, Store
from remote_store.aio import AsyncMemoryBackend, AsyncStore, SyncBackendAdapter
from remote_store.aio.ext.cache import AsyncCachedStore
from remote_store.aio.ext.observe import AsyncObservedStore
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.errors import RemoteStoreError, UnknownStore
from remote_store.ext.cache import CachedStore
from remote_store.ext.observe import ObservedStore


def _config(backend: dict[str, Any], options: dict[str, Any] | None = None) -> RegistryConfig:
    return RegistryConfig.from_dict(
        {
            "backends": {"main": backend},
            "stores": {"data": {"backend": "main", "root": "data", "options": options or {}}},
        }
    )


WRAPPED = {"cache": {"ttl": 60}, "observe": {"log": True}}


def _sync_run(store: Store) -> list[object]:
    store.write("a.txt", b"one")
    answers: list[object] = [store.read_bytes("a.txt"), store.read_bytes("a.txt")]
    answers.append(sorted(str(info.path) for info in store.list_files("")))
    answers.append(sorted(str(info.path) for info in store.list_files("")))
    answers.append(store.exists("a.txt"))
    store.delete("a.txt")
    answers.append(store.exists("a.txt"))
    return answers


async def _async_run(store: AsyncStore) -> list[object]:
    await store.write("a.txt", b"one")
    answers: list[object] = [await store.read_bytes("a.txt"), await store.read_bytes("a.txt")]
    answers.append(sorted([str(info.path) async for info in store.list_files("")]))
    answers.append(sorted([str(info.path) async for info in store.list_files("")]))
    answers.append(await store.exists("a.txt"))
    await store.delete("a.txt")
    answers.append(await store.exists("a.txt"))
    return answers


def _events(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    found = [
        (getattr(r, "op", "?"), getattr(r, "path", "?"))
        for r in caplog.records
        if r.name == "remote_store.events"
    ]
    caplog.clear()
    return found


@pytest.mark.parametrize("backend", [{"type": "memory"}, {"type": "local"}])
def test_one_profile_gives_the_same_events_and_hits_sync_and_async(
    backend: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if backend["type"] == "local":
        backend = {**backend, "options": {"root": str(tmp_path)}}
    registry = Registry(_config(backend, WRAPPED))
    sync_store = registry.get_store("data")
    async_store = registry.get_async_store("data")
    assert isinstance(sync_store, ObservedStore) and isinstance(sync_store.inner, CachedStore)
    # observe -> cache -> store, in both flavours
    assert isinstance(async_store, AsyncObservedStore)
    assert isinstance(async_store.inner, AsyncCachedStore)
    assert type(async_store.inner.inner) is AsyncStore
    assert registry.get_async_store("data") is async_store

    with caplog.at_level(logging.INFO, logger="remote_store.events"):
        sync_answers = _sync_run(sync_store)
        sync_events = _events(caplog)
        async_answers = asyncio.run(_async_run(async_store))
        async_events = _events(caplog)

    assert async_answers == sync_answers == [b"one", b"one", ["a.txt"], ["a.txt"], True, False]
    assert async_events == sync_events and len(sync_events) == 8
    sync_stats, async_stats = sync_store.inner.stats, async_store.inner.stats
    assert (async_stats.hits, async_stats.misses) == (sync_stats.hits, sync_stats.misses)
    assert async_stats.hits >= 2
    registry.close()


def test_a_type_with_a_native_async_backend_gets_it() -> None:
    async def scenario() -> None:
        async with Registry(_config({"type": "memory"})) as registry:
            store = registry.get_async_store("data")
            assert isinstance(store.unwrap(AsyncMemoryBackend), AsyncMemoryBackend)
            await store.write("x.txt", b"x")
            assert not registry.get_store("data").exists("x.txt")  # another backend

    asyncio.run(scenario())


def test_a_type_without_one_runs_its_sync_backend_in_threads(tmp_path: Path) -> None:
    async def scenario() -> None:
        registry = Registry(_config({"type": "local", "options": {"root": str(tmp_path)}}))
        sync_store = registry.get_store("data")
        store = registry.get_async_store("data")
        adapter = store.unwrap(SyncBackendAdapter)
        assert adapter.backend is sync_store.unwrap(LocalBackend)  # one backend per name
        await store.write("x.txt", b"x")
        assert sync_store.read_bytes("x.txt") == b"x"
        await registry.aclose()
        assert registry.get_async_store("data") is not store  # built again after closing
        await registry.aclose()

    asyncio.run(scenario())


def test_overrides_choose_the_backend_class() -> None:
    class Tagged(MemoryBackend):
        pass

    class AsyncTagged(AsyncMemoryBackend):
        pass

    sync_only = Registry(_config({"type": "memory"}), backends={"memory": Tagged})
    async_side = sync_only.get_async_store("data").unwrap(SyncBackendAdapter)
    assert isinstance(async_side.backend, Tagged)  # a sync override is used through threads
    sync_only.close()  # closes the adapter on a loop of its own

    both = Registry(_config({"type": "memory"}), async_backends={"memory": AsyncTagged})
    assert isinstance(both.get_async_store("data").unwrap(AsyncTagged), AsyncTagged)
    both.close()


def test_unknown_profile_and_close_inside_a_loop() -> None:
    registry = Registry(_config({"type": "memory"}))
    with pytest.raises(UnknownStore, match="available stores: data"):
        registry.get_async_store("nope")

    async def scenario() -> None:
        registry.get_async_store("data")
        with pytest.raises(RemoteStoreError, match=r"await registry\.aclose"):
            registry.close()
        await registry.aclose()

    asyncio.run(scenario())
