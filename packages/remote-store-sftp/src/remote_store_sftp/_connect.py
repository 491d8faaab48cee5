"""Opening SSH connections: the backend's credential and host-key options, parsed once."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import paramiko
from remote_store.backend import Secret, reveal
from remote_store.errors import ConfigError, RemoteStoreError

from remote_store_sftp._client import StatusClient
from remote_store_sftp._hostkeys import (
    SSH_RSA_COMPAT,
    HostKeyPolicy,
    KnownHosts,
    load_private_key,
    rsa_compat_default,
)
from remote_store_sftp._pool import Connection

__all__ = ["Connector", "connect_options"]


def connect_options(
    connect_kwargs: Mapping[str, Any] | None, ssh_rsa_compat: bool | None
) -> dict[str, Any]:
    """The extra ``SSHClient.connect`` arguments: ``connect_kwargs`` over the RSA compat."""
    options = dict(connect_kwargs or {})
    compat = rsa_compat_default() if ssh_rsa_compat is None else ssh_rsa_compat
    return {**SSH_RSA_COMPAT, **options} if compat else options


class Connector:
    """Opens one SFTP connection, authenticated and with the known host keys."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None,
        password: str | Secret | None,
        pkey: paramiko.PKey | None,
        *,
        private_key: str | Secret | None,
        key_filename: str | Secret | list[str] | None,
        passphrase: str | Secret | None,
        host_key_policy: str | HostKeyPolicy,
        known_host_keys: str | Secret | None,
        host_keys_path: str | None,
        config: Mapping[str, Any] | None,
        connect_kwargs: Mapping[str, Any],
        timeout: float,
        io_timeout: float | None,
        map_error: Callable[[BaseException], RemoteStoreError],
    ) -> None:
        self._host, self._port, self._username = host, port, username
        self._password = password
        self._timeout, self._io_timeout, self._map_error = timeout, io_timeout, map_error
        if private_key is not None:
            if pkey is not None:
                raise ConfigError("give pkey or private_key, not both")
            pkey = load_private_key(
                reveal(private_key) or "", from_file=False, passphrase=reveal(passphrase)
            )
        if isinstance(key_filename, Secret):
            key_filename = key_filename.reveal()
        self._pkey, self._key_filename, self._passphrase = pkey, key_filename, passphrase
        self._connect_kwargs = connect_kwargs
        inline = reveal(known_host_keys) or reveal((config or {}).get("known_host_keys"))
        inline = inline or os.environ.get("SFTP_KNOWN_HOST_KEYS")
        lines: list[str] = inline.splitlines() if inline else []
        if not inline and host_keys_path and os.path.isfile(os.path.expanduser(host_keys_path)):
            with open(os.path.expanduser(host_keys_path), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        policy = HostKeyPolicy.parse(host_key_policy)
        self.known_hosts = KnownHosts(policy, lines, host_keys_path)

    def connect(self) -> Connection:
        """A new connection; failures come out as typed errors (one attempt, no retry)."""
        client = paramiko.SSHClient()
        self.known_hosts.prime(client)
        has_credential = any((self._password, self._pkey, self._key_filename))
        options: dict[str, Any] = {
            "hostname": self._host,
            "port": self._port,
            "username": self._username,
            "password": reveal(self._password),
            "pkey": self._pkey,
            "key_filename": self._key_filename,
            "passphrase": reveal(self._passphrase),
            "timeout": self._timeout,
            "banner_timeout": self._timeout,
            "auth_timeout": self._timeout,
            "channel_timeout": self._timeout,
            "allow_agent": not has_credential,
            "look_for_keys": not has_credential,
            **self._connect_kwargs,
        }
        try:
            client.connect(**options)
            transport = client.get_transport()
            assert transport is not None
            sftp = StatusClient.from_transport(transport)
        except BaseException as exc:
            client.close()
            raise self._map_error(exc) from None
        assert sftp is not None
        channel = sftp.get_channel()
        assert channel is not None
        channel.settimeout(self._io_timeout)
        return Connection(client, sftp)
