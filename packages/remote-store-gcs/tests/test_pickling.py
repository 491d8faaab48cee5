"""Pickle audit: a gcs store travels to a spawned process as its options; a key given as
``${VAR}`` travels by reference, an inline key refuses, no session or lock is pickled."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from remote_store import Registry, RegistryConfig, Store, allow_secret_pickling, resolve_env
from remote_store.errors import SecretNotPicklable
from remote_store_conformance.pickling import PAYLOAD, audit_pickle, spawned_round_trip
from remote_store_gcs import GCSBackend


@pytest.mark.slow
def test_a_config_store_pickles_without_its_key_and_works_when_spawned(
    emulator: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = "not-a-real-key-but-secret-0003"
    monkeypatch.setenv("RS_GCS_AUDIT_KEY", marker)
    options = {
        "bucket": bucket,
        "endpoint_url": emulator.url,
        "credentials_json": "${RS_GCS_AUDIT_KEY}",
    }
    data = {
        "backends": {"g": {"type": "gcs", "options": options}},
        "stores": {"data": {"backend": "g", "root": "audit"}},
    }
    store = Registry(RegistryConfig.from_dict(resolve_env(data))).get_store("data")
    pickled = audit_pickle(store, secrets=[marker])
    copy = pickle.loads(pickled)
    assert isinstance(copy.backend, GCSBackend) and repr(copy.backend) == repr(store.backend)
    # an anonymous store (no key at all) is used for the spawned round trip
    anonymous = Store(GCSBackend(bucket, endpoint_url=emulator.url))
    anonymous.write("audit/seed.txt", b"seed")
    content, listed = spawned_round_trip(audit_pickle(anonymous), "audit/copy.bin")
    assert content == PAYLOAD
    assert listed == ["audit/copy.bin", "audit/seed.txt"]
    assert not anonymous.exists("audit/copy.bin")  # the child deleted it on the same bucket
    anonymous.close()


def test_an_inline_key_refuses_unless_opted_in(emulator: Any, bucket: str) -> None:
    store = Store(GCSBackend(bucket, endpoint_url=emulator.url, credentials_json="{}"))
    with pytest.raises(SecretNotPicklable):
        pickle.dumps(store)
    with allow_secret_pickling():
        copy = pickle.loads(pickle.dumps(store))
    assert repr(copy.backend) == repr(store.backend)


def test_a_used_backend_pickles_as_options_only(emulator: Any, bucket: str) -> None:
    backend = GCSBackend(bucket, endpoint_url=emulator.url, chunk_size=512 * 1024)
    backend.write("x", b"1")  # the session exists now
    copy = pickle.loads(audit_pickle(backend))
    assert copy._session is None and copy._chunk_size == 512 * 1024
    assert copy.read_bytes("x") == b"1"
