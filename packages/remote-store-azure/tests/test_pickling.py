"""Pickle audit: sync and async Azure stores travel without their account key."""

from __future__ import annotations

import asyncio
import pickle
import re
from typing import Any

import pytest
from remote_store import Store, resolve_env
from remote_store.aio import AsyncStore
from remote_store.errors import SecretNotPicklable
from remote_store_azure import AsyncAzureBackend, AzureBackend
from remote_store_conformance.pickling import PAYLOAD, audit_pickle, spawned_round_trip

Emulator = Any  # the conftest's Emulator fixture value


def env_options(azurite: Emulator, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], str]:
    monkeypatch.setenv("RS_AUDIT_AZURE", azurite.connection_string)
    account_key = re.search(r"AccountKey=([^;]+)", azurite.connection_string)
    assert account_key is not None
    options = resolve_env({"connection_string": "${RS_AUDIT_AZURE}"})
    return options, account_key.group(1)


def test_sync_store_pickles_without_key_and_works_when_spawned(
    azurite: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    options, key = env_options(azurite, monkeypatch)
    store = Store(AzureBackend(azurite.new_container(), **options), "audit")
    store.write("probe/seed.txt", b"seed")  # clients and the loop thread exist now
    data = audit_pickle(store, secrets=[key])
    content, listed = spawned_round_trip(data, "probe/copy.bin")
    assert content == PAYLOAD and listed == ["probe/copy.bin", "probe/seed.txt"]
    assert not store.exists("probe/copy.bin")
    assert store.read_bytes("probe/seed.txt") == b"seed"
    store.close()


def test_async_store_pickles_without_key_and_works(
    azurite: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    options, key = env_options(azurite, monkeypatch)
    container = azurite.new_container()

    async def scenario() -> bytes:
        store = AsyncStore(AsyncAzureBackend(container, **options))
        await store.write("a.bin", b"async")  # an aiohttp session exists now
        data = audit_pickle(store, secrets=[key])
        await store.aclose()
        copy: AsyncStore = pickle.loads(data)
        try:
            return await copy.read_bytes("a.bin")
        finally:
            await copy.aclose()

    assert asyncio.run(scenario()) == b"async"


def test_inline_connection_string_refuses(azurite: Emulator) -> None:
    store = Store(azurite.backend())
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(store)
    assert info.value.option == "AzureBackend.connection_string"
    store.close()
