"""Pickle audit: an s3-obstore store travels to a spawned process without its secret; the
obstore store (which holds credentials in clear) is never in the bytes."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from remote_store import Registry, RegistryConfig, Store, allow_secret_pickling, resolve_env
from remote_store.errors import SecretNotPicklable
from remote_store_conformance.pickling import PAYLOAD, audit_pickle, spawned_round_trip

KEY, SECRET = "AKIAPICKLEAUDIT0002", "pickle-audit-secret-0002"


def test_config_store_pickles_without_secret_and_works_when_spawned(
    moto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RS_AUDIT_KEY", KEY)
    monkeypatch.setenv("RS_AUDIT_SECRET", SECRET)
    options = moto.options(key="${RS_AUDIT_KEY}", secret="${RS_AUDIT_SECRET}")
    data = {
        "backends": {"s3": {"type": "s3-obstore", "options": options}},
        "stores": {"data": {"backend": "s3", "root": "audit"}},
    }
    store = Registry(RegistryConfig.from_dict(resolve_env(data))).get_store("data")
    store.write("probe/seed.txt", b"seed")  # the obstore store exists now
    pickled = audit_pickle(store, secrets=[KEY, SECRET])
    content, listed = spawned_round_trip(pickled, "probe/copy.bin")
    assert content == PAYLOAD
    assert listed == ["probe/copy.bin", "probe/seed.txt"]
    assert not store.exists("probe/copy.bin")  # the child deleted it on the same bucket
    assert store.read_bytes("probe/seed.txt") == b"seed"


def test_inline_secret_refuses_unless_opted_in(moto: Any) -> None:
    store = Store(moto.backend())
    with pytest.raises(SecretNotPicklable):
        pickle.dumps(store)
    with allow_secret_pickling():
        copy = pickle.loads(pickle.dumps(store))
    copy.write("a.txt", b"1")
    assert store.read_bytes("a.txt") == b"1"


def test_the_async_backend_pickles_as_its_options(azurite: Any) -> None:
    from remote_store_obstore import AsyncAzureObstoreBackend

    backend = AsyncAzureObstoreBackend(azurite.new_container(), account_name="devstoreaccount1")
    copy = pickle.loads(pickle.dumps(backend))
    assert type(copy) is AsyncAzureObstoreBackend
    assert repr(copy) == repr(backend)
