"""Pickle audit: an S3 store travels to a spawned process without its secret."""

from __future__ import annotations

import pickle

import pytest
from remote_store import Registry, RegistryConfig, Store, allow_secret_pickling, resolve_env
from remote_store.errors import SecretNotPicklable
from remote_store_conformance.pickling import PAYLOAD, audit_pickle, spawned_round_trip

from .conftest import Moto

KEY, SECRET = "AKIAPICKLEAUDIT0001", "pickle-audit-secret-0001"


def config_store(moto: Moto, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("RS_AUDIT_KEY", KEY)
    monkeypatch.setenv("RS_AUDIT_SECRET", SECRET)
    data = {
        "backends": {
            "s3": {
                "type": "s3",
                "options": {
                    "bucket": moto.new_bucket(),
                    "endpoint_url": moto.url,
                    "key": "${RS_AUDIT_KEY}",
                    "secret": "${RS_AUDIT_SECRET}",
                },
            }
        },
        "stores": {"data": {"backend": "s3", "root": "audit"}},
    }
    return Registry(RegistryConfig.from_dict(resolve_env(data))).get_store("data")


def test_config_store_pickles_without_secret_and_works_when_spawned(
    moto: Moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = config_store(moto, monkeypatch)
    store.write("probe/seed.txt", b"seed")  # the live client, session and loop exist now
    data = audit_pickle(store, secrets=[KEY, SECRET])
    content, listed = spawned_round_trip(data, "probe/copy.bin")
    assert content == PAYLOAD
    assert listed == ["probe/copy.bin", "probe/seed.txt"]
    assert not store.exists("probe/copy.bin")  # the child deleted it on the same bucket
    assert store.read_bytes("probe/seed.txt") == b"seed"  # the original still works


def test_inline_secret_refuses_unless_opted_in(moto: Moto) -> None:
    store = Store(moto.backend())
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(store)
    assert info.value.option == "S3Backend.key"
    with allow_secret_pickling():
        copy = pickle.loads(pickle.dumps(store))
    copy.write("a.txt", b"1")
    assert store.read_bytes("a.txt") == b"1"
    copy.close()


def test_credential_chain_store_pickles_and_resolves_on_the_other_side(moto: Moto) -> None:
    from remote_store_s3 import S3Backend

    # no key given: the worker uses the environment's credential chain (the conftest sets it)
    store = Store(S3Backend(moto.new_bucket(), endpoint_url=moto.url))
    store.write("chain.txt", b"chain")
    content, _ = spawned_round_trip(audit_pickle(store), "chain.txt", write=False)
    assert content == b"chain"


def test_tokens_agree_across_two_builds(moto: Moto, monkeypatch: pytest.MonkeyPatch) -> None:
    from remote_store_s3 import S3Backend

    one = Store(S3Backend("b", endpoint_url=moto.url, region_name="eu-west-1"), "r")
    two = Store(S3Backend("b", endpoint_url=moto.url, region_name="eu-west-1"), "r")
    assert one.__dask_tokenize__() == two.__dask_tokenize__()
    assert (
        one.__dask_tokenize__() != Store(S3Backend("c", endpoint_url=moto.url)).__dask_tokenize__()
    )
