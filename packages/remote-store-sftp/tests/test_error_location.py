"""Errors name the caller's path, user@host:port and the base folder, never the password."""

from __future__ import annotations

import pickle

import pytest
from remote_store import Store
from remote_store.errors import InvalidPath, NotFound, RemoteStoreError
from remote_store_sftp import SFTPBackend

from .conftest import PASSWORD, SSHServer


def _surfaces(error: RemoteStoreError) -> str:
    return str(error) + repr(error) + repr(vars(error)) + repr(pickle.dumps(error))


def test_an_error_names_the_path_and_the_server_without_the_password(
    asyncssh_server: SSHServer,
) -> None:
    base = asyncssh_server.new_folder()[1]
    backend = SFTPBackend(
        host="127.0.0.1",
        port=asyncssh_server.port,
        username=asyncssh_server.username,
        password=PASSWORD,
        known_host_keys=asyncssh_server.host_key_line,
        base_path=base,
        timeout=10.0,
    )
    where = f"sftp '{asyncssh_server.username}@127.0.0.1:{asyncssh_server.port}' folder {base!r}"
    with Store(backend, "data") as store:
        with pytest.raises(NotFound) as missing:
            store.read_bytes("./a//b.txt")
        store.write("f.txt", b"x")
        with pytest.raises(InvalidPath) as below:
            store.move("f.txt", "f.txt/under.txt")
    error = missing.value
    assert error.path == "./a//b.txt" and error.key == "data/a/b.txt"
    assert error.location == where
    assert str(error).endswith(f": './a//b.txt' ({where}, key 'data/a/b.txt')")
    assert below.value.path == "f.txt/under.txt"  # the destination is what is wrong
    for raised in (error, below.value):
        assert PASSWORD not in _surfaces(raised)
