"""Pickle audit: an SFTP store travels without its private key or password."""

from __future__ import annotations

import pickle

import pytest
from remote_store import Store, resolve_env
from remote_store.errors import SecretNotPicklable
from remote_store_conformance.pickling import PAYLOAD, audit_pickle, spawned_round_trip
from remote_store_sftp import SFTPBackend

from .conftest import SSHServer


def test_store_pickles_without_key_and_works_when_spawned(
    server: SSHServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RS_AUDIT_SFTP_KEY", server.key_text)
    _, base = server.new_folder()
    options = resolve_env({"private_key": "${RS_AUDIT_SFTP_KEY}"})
    store = Store(server.backend(base_path=base, key_filename=None, **options))
    store.write("probe/seed.txt", b"seed")  # the SSH transport and its thread exist now
    body = [line for line in server.key_text.splitlines() if line and "-----" not in line]
    data = audit_pickle(store, secrets=body)
    content, listed = spawned_round_trip(data, "probe/copy.bin")
    assert content == PAYLOAD and listed == ["probe/copy.bin", "probe/seed.txt"]
    assert store.read_bytes("probe/seed.txt") == b"seed"
    store.close()


def test_inline_password_refuses(server: SSHServer) -> None:
    backend = SFTPBackend("127.0.0.1", server.port, "tester", password="inline-pw-0001")
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(Store(backend))
    assert info.value.option == "SFTPBackend.password"
