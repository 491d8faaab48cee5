"""Leak scan (issue 21): SFTP credentials never show on any surface, and the documented
``host_key_policy`` option works from a config file.

Against the asyncssh server these tests start: an encrypted private key with its
``passphrase``, and in a second round a ``password``; loaded as a dict, inline TOML and
``${VAR}`` TOML; paramiko and every other logger at DEBUG.
"""

from __future__ import annotations

import logging
import pathlib

import pytest
from remote_store import Registry, RegistryConfig, Store
from remote_store_conformance.leakscan import LeakScan, scan_backend

from .conftest import PASSWORD, SSHServer

asyncssh = pytest.importorskip("asyncssh")

PASSPHRASE = "LEAK-SFTP-PASSPHRASE-6613"


def _exercise(store: Store, scan: LeakScan, shape: str) -> None:
    scan.call(f"{shape}: write", lambda: store.write("leak/a.txt", b"x", overwrite=True))
    assert scan.call(f"{shape}: read", lambda: store.read_bytes("leak/a.txt")) == b"x"
    scan.call(f"{shape}: list", lambda: list(store.list_files("leak")))
    scan.call(f"{shape}: delete", lambda: store.delete("leak/a.txt"))
    # an error names the caller's path and the backend location, never a secret
    scan.call(f"{shape}: missing", lambda: store.read_bytes("./leak//missing.txt"))


def test_passphrase_never_leaks(asyncssh_server: SSHServer, tmp_path: pathlib.Path) -> None:
    key = asyncssh.import_private_key(asyncssh_server.key_text)
    encrypted = key.export_private_key("openssh", passphrase=PASSPHRASE).decode()
    options = {
        "host": "127.0.0.1",
        "port": asyncssh_server.port,
        "username": asyncssh_server.username,
        "private_key": encrypted,
        "passphrase": PASSPHRASE,
        "known_host_keys": asyncssh_server.host_key_line,
        "host_key_policy": "strict",
        "base_path": asyncssh_server.new_folder()[1],
        "timeout": 10.0,
    }
    secrets = [PASSPHRASE, encrypted.splitlines()[1]]
    assert scan_backend("sftp", options, secrets, _exercise, tmp_path) == []


def test_password_never_leaks(asyncssh_server: SSHServer, tmp_path: pathlib.Path) -> None:
    options = {
        "host": "127.0.0.1",
        "port": asyncssh_server.port,
        "username": asyncssh_server.username,
        "password": PASSWORD,
        "known_host_keys": asyncssh_server.host_key_line,
        "base_path": asyncssh_server.new_folder()[1],
        "timeout": 10.0,
    }
    assert scan_backend("sftp", options, [PASSWORD], _exercise, tmp_path) == []


@pytest.mark.parametrize("policy", ["strict", "tofu", "auto"])
def test_host_key_policy_from_a_config_file(
    asyncssh_server: SSHServer,
    tmp_path: pathlib.Path,
    policy: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config_file = tmp_path / "sftp.toml"
    known = asyncssh_server.host_key_line.replace('"', '\\"')
    config_file.write_text(
        "[backends.box]\ntype = 'sftp'\n[backends.box.options]\n"
        f"host = '127.0.0.1'\nport = {asyncssh_server.port}\n"
        f"username = '{asyncssh_server.username}'\nkey_filename = '{asyncssh_server.key_path}'\n"
        f'known_host_keys = "{known}"\nhost_key_policy = "{policy}"\n'
        f"base_path = '{asyncssh_server.new_folder()[1]}'\n"
        "[stores.files]\nbackend = 'box'\n"
    )
    config = RegistryConfig.from_toml(config_file)
    assert config.backends["box"].options["host_key_policy"] == policy  # a plain word
    with Registry(config) as registry:
        store = registry.get_store("files")
        store.write("p.txt", b"policy")
        assert store.read_bytes("p.txt") == b"policy"
    with caplog.at_level(logging.DEBUG, logger="remote_store"):
        logging.getLogger("remote_store.tests").debug("host key policy is %s", policy)
    assert f"host key policy is {policy}" in caplog.text  # the word is not masked
