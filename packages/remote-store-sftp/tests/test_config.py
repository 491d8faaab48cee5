"""Credentials, host-key policies, SFTPUtils, discovery and the 0.27 option surface."""

from __future__ import annotations

import base64
import hashlib
import os
import warnings
from importlib.metadata import entry_points
from pathlib import Path

import paramiko
import pytest
from remote_store import RetryPolicy, Secret, Store
from remote_store.errors import BackendUnavailable, ConfigError, PermissionDenied
from remote_store_sftp import HostKeyPolicy, SFTPBackend, SFTPUtils, UnknownHostKey
from remote_store_sftp._hostkeys import HostKeyMismatch

from .conftest import PASSWORD, SSHServer


def _fingerprint(line: str) -> str:
    blob = base64.b64decode(line.split()[2])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def test_strict_refuses_unknown_host_naming_the_fingerprint(
    server: SSHServer, tmp_path: Path
) -> None:
    backend = server.backend(
        known_host_keys=None, host_keys_path=str(tmp_path / "none"), retry=RetryPolicy.disabled()
    )
    with pytest.raises(UnknownHostKey) as caught:
        Store(backend).ping()
    assert caught.value.fingerprint == _fingerprint(server.host_key_line)
    assert _fingerprint(server.host_key_line) in str(caught.value)
    assert isinstance(caught.value, PermissionDenied)


def test_strict_refuses_a_changed_key(server: SSHServer) -> None:
    other = paramiko.Ed25519Key.from_private_key_file(server.key_path)  # not the host key
    line = f"[127.0.0.1]:{server.port} ssh-ed25519 {other.get_base64()}"
    with pytest.raises(HostKeyMismatch):
        Store(server.backend(known_host_keys=line, retry=RetryPolicy.disabled())).ping()


def test_known_hosts_from_file(server: SSHServer, tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    path.write_text("# comment\n" + server.host_key_line + "\n")
    store = Store(server.backend(known_host_keys=None, host_keys_path=str(path)))
    store.write("x", b"1")
    assert store.read_bytes("x") == b"1"
    store.close()


def test_tofu_learns_and_saves_on_close(server: SSHServer, tmp_path: Path) -> None:
    path = tmp_path / "ssh" / "known_hosts"
    backend = server.backend(known_host_keys=None, host_keys_path=str(path), host_key_policy="tofu")
    Store(backend).write("x", b"1")
    backend.close()
    saved = path.read_text()
    assert saved.split()[1:] == server.host_key_line.split()[1:]
    strict = server.backend(known_host_keys=None, host_keys_path=str(path))
    assert Store(strict).exists("x") is False  # new folder, but the host is known now
    strict.close()


def test_auto_accepts_with_a_warning(
    server: SSHServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backend = server.backend(
        known_host_keys=None, host_keys_path=str(tmp_path / "k"), host_key_policy="AUTO_ADD"
    )
    Store(backend).ping()
    backend.close()
    assert any("unverified host key" in r.getMessage() for r in caplog.records)
    assert not (tmp_path / "k").exists()


def test_policy_names() -> None:
    assert HostKeyPolicy.parse("STRICT") is HostKeyPolicy.STRICT
    assert HostKeyPolicy.parse("auto") is HostKeyPolicy.AUTO_ADD
    with pytest.raises(ConfigError):
        HostKeyPolicy.parse("yolo")


def test_private_key_as_pem_secret(server: SSHServer) -> None:
    backend = server.backend(key_filename=None, private_key=Secret(server.key_text))
    store = Store(backend)
    store.write("k", b"1")
    assert store.read_bytes("k") == b"1"
    assert server.key_text.splitlines()[1] not in repr(backend)
    store.close()


def test_pkey_object_and_load_private_key(server: SSHServer) -> None:
    pkey = SFTPUtils.load_private_key(server.key_path, from_file=True)
    assert SFTPUtils.load_private_key(server.key_text).get_base64() == pkey.get_base64()
    store = Store(server.backend(key_filename=None, pkey=pkey))
    store.ping()
    store.close()
    with pytest.raises(ConfigError):
        SFTPUtils.load_private_key("not a key")


def test_password_as_secret(asyncssh_server: SSHServer) -> None:
    backend = asyncssh_server.backend(key_filename=None, password=Secret(PASSWORD))
    store = Store(backend)
    store.write("p", b"1")
    assert PASSWORD not in repr(backend)
    store.close()
    wrong = asyncssh_server.backend(
        key_filename=None, password="wrong", retry=RetryPolicy.disabled()
    )
    with pytest.raises(PermissionDenied) as caught:
        Store(wrong).ping()
    assert "wrong" not in str(caught.value)


def test_unreachable_server_is_backend_unavailable(server: SSHServer) -> None:
    from remote_store_conformance.servers import free_port

    backend = server.backend(
        port=free_port(), retry={"max_attempts": 2, "backoff_base": 0.01, "jitter": 0}
    )
    with pytest.raises(BackendUnavailable):
        Store(backend).read_bytes("x")


def test_scan_host_keys_and_algorithms(server: SSHServer) -> None:
    line = SFTPUtils.scan_host_keys("127.0.0.1", server.port)
    assert line.split() == server.host_key_line.split()
    assert "ssh-ed25519" in SFTPUtils.scan_host_algorithms("127.0.0.1", server.port)


def test_rsa_compat_is_per_backend(server: SSHServer) -> None:
    before = dict(vars(paramiko.Transport))
    backend = server.backend(ssh_rsa_compat=True)
    assert backend._connect_kwargs["disabled_algorithms"]["pubkeys"]
    Store(backend).ping()
    backend.close()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SFTPUtils.enable_ssh_rsa_compat()
    assert caught and issubclass(caught[0].category, DeprecationWarning)
    try:
        assert dict(vars(paramiko.Transport)) == before  # nothing global was patched
        assert "disabled_algorithms" in server.backend()._connect_kwargs
    finally:
        import remote_store_sftp._hostkeys as hostkeys

        hostkeys._RSA_COMPAT_DEFAULT = False


def test_options_and_naming(server: SSHServer) -> None:
    with pytest.raises(ConfigError):
        SFTPBackend(host="h", config={"bogus": 1}, known_host_keys=server.host_key_line)
    backend = SFTPBackend(
        "127.0.0.1",
        server.port,
        server.username,
        None,
        None,
        "/srv/data",
        config={"known_host_keys": server.host_key_line},
    )
    assert backend.native_path("a/b") == "/srv/data/a/b"
    assert backend.to_key("/srv/data/a/b") == "a/b"
    assert backend.resolve("a").details["port"] == server.port


def test_entry_point_and_027_import_path() -> None:
    names = {ep.name: ep.value for ep in entry_points(group="remote_store.backends")}
    assert names["sftp"] == "remote_store_sftp:SFTPBackend"
    from remote_store.backends import SFTPBackend as Old
    from remote_store.backends import SFTPUtils as OldUtils

    assert Old is SFTPBackend and OldUtils is SFTPUtils


def test_unwrap_gives_a_paramiko_client(server: SSHServer) -> None:
    local, base = server.new_folder()
    store = Store(server.backend(base_path=base))
    store.write("u.txt", b"1")
    client = store.unwrap(paramiko.SFTPClient)
    assert "u.txt" in client.listdir(base)
    store.close()
    assert os.path.exists(os.path.join(local, "u.txt"))


def test_orphan_cleanup_removes_only_our_old_temp_files(server: SSHServer) -> None:
    local, base = server.new_folder()
    backend = server.backend(base_path=base)
    os.makedirs(os.path.join(local, "d"))
    ours = os.path.join(local, "d", ".~tmp.data.bin.0a1b2c3d")
    theirs = os.path.join(local, "d", ".~tmp.not-ours")
    for path in (ours, theirs):
        Path(path).write_bytes(b"x")
        os.utime(path, (1_000_000, 1_000_000))
    fresh = os.path.join(local, ".~tmp.new.bin.0a1b2c3d")
    Path(fresh).write_bytes(b"x")
    assert backend.cleanup_temp_files(older_than=3600) == 1
    assert not os.path.exists(ours)
    assert os.path.exists(theirs) and os.path.exists(fresh)
    backend.close()


def _encrypted_client_key(server: SSHServer, passphrase: str) -> str:
    import asyncssh

    key = asyncssh.read_private_key(server.key_path)
    # one KDF round: the format is the same, the test just does not pay for bcrypt's cost
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # bcrypt's "1 round is not secure"
        return key.export_private_key("openssh", passphrase=passphrase, rounds=1).decode()


def test_encrypted_private_key_with_its_passphrase(
    asyncssh_server: SSHServer, tmp_path: Path
) -> None:
    server = asyncssh_server  # decrypting the key is client-side: one server is enough
    text = _encrypted_client_key(server, "correct horse")
    _, base_path = server.new_folder()
    backend = server.backend(
        base_path, key_filename=None, private_key=Secret(text), passphrase=Secret("correct horse")
    )
    with Store(backend) as store:
        store.write("enc", b"1")
        assert store.read_bytes("enc") == b"1"
    assert "correct horse" not in repr(backend)
    path = tmp_path / "client_key_encrypted"
    path.write_text(text)
    path.chmod(0o600)
    from_file = server.backend(base_path, key_filename=str(path), passphrase="correct horse")
    with Store(from_file) as store:
        assert store.read_bytes("enc") == b"1"


def test_encrypted_private_key_without_or_with_a_wrong_passphrase_is_a_config_error(
    asyncssh_server: SSHServer,
) -> None:
    server = asyncssh_server
    text = _encrypted_client_key(server, "correct horse")
    with pytest.raises(ConfigError, match="passphrase"):
        server.backend(key_filename=None, private_key=text)
    with pytest.raises(ConfigError) as caught:
        server.backend(key_filename=None, private_key=text, passphrase="wrong")
    assert "wrong" not in str(caught.value)


def test_known_host_keys_from_the_environment(
    server: SSHServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SFTP_KNOWN_HOST_KEYS", server.host_key_line)
    with Store(server.backend(known_host_keys=None)) as store:
        store.ping()
    other = paramiko.Ed25519Key.from_private_key_file(server.key_path)  # not the host key
    monkeypatch.setenv(
        "SFTP_KNOWN_HOST_KEYS", f"[127.0.0.1]:{server.port} ssh-ed25519 {other.get_base64()}"
    )
    with pytest.raises(HostKeyMismatch):
        Store(server.backend(known_host_keys=None, retry=RetryPolicy.disabled())).ping()
