"""Pickle audit: an HTTP store travels without its Authorization header."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from remote_store import Store, resolve_env
from remote_store.errors import SecretNotPicklable
from remote_store_conformance.pickling import audit_pickle, spawned_round_trip
from remote_store_http import ReadOnlyHttpBackend

Nginx = Any  # the conftest's Nginx fixture value
TOKEN = "Bearer http-audit-token-0001"


def test_store_pickles_without_header_and_reads_when_spawned(
    nginx: Nginx, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RS_AUDIT_HTTP", TOKEN)
    url = nginx.publish({"d/a.txt": b"alpha", "d/b.txt": b"beta"})
    headers = resolve_env({"headers": {"Authorization": "${RS_AUDIT_HTTP}"}})["headers"]
    store = Store(ReadOnlyHttpBackend(url, headers=headers))
    assert store.read_bytes("d/a.txt") == b"alpha"  # the transport exists now
    data = audit_pickle(store, secrets=[TOKEN, TOKEN.split()[1]])
    content, _ = spawned_round_trip(data, "d/b.txt", write=False)
    assert content == b"beta"
    store.close()


def test_inline_header_refuses(nginx: Nginx) -> None:
    store = Store(ReadOnlyHttpBackend(nginx.url, headers={"Authorization": TOKEN}))
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(store)
    assert info.value.option == "ReadOnlyHttpBackend.headers.Authorization"
