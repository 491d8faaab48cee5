"""Pickle audit: an s3-pyarrow store travels without its secret (no pyarrow handle)."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from remote_store import Store, resolve_env
from remote_store.errors import SecretNotPicklable
from remote_store_conformance.pickling import PAYLOAD, audit_pickle, spawned_round_trip
from remote_store_s3_pyarrow import S3PyArrowBackend

Moto = Any  # the conftest's Moto fixture value
KEY, SECRET = "AKIAPYARROWAUDIT01", "pyarrow-audit-secret-0001"


def test_store_pickles_without_secret_and_works_when_spawned(
    moto_process: Moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RS_AUDIT_KEY", KEY)
    monkeypatch.setenv("RS_AUDIT_SECRET", SECRET)
    options = resolve_env({"key": "${RS_AUDIT_KEY}", "secret": "${RS_AUDIT_SECRET}"})
    bucket = moto_process.new_bucket()
    store = Store(S3PyArrowBackend(bucket, endpoint_url=moto_process.url, **options))
    store.write("probe/seed.txt", b"seed")
    assert store.read_bytes("probe/seed.txt") == b"seed"  # the arrow filesystem exists now
    data = audit_pickle(store, secrets=[KEY, SECRET])
    content, listed = spawned_round_trip(data, "probe/copy.bin")
    assert content == PAYLOAD and listed == ["probe/copy.bin", "probe/seed.txt"]
    store.close()


def test_inline_secret_refuses(moto_process: Moto) -> None:
    backend = S3PyArrowBackend("b", endpoint_url=moto_process.url, key="k", secret=SECRET)
    with pytest.raises(SecretNotPicklable):
        pickle.dumps(Store(backend))
