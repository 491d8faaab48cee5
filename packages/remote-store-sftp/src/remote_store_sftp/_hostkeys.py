"""Host keys, private keys and the 0.27 helper class ``SFTPUtils``.

Host-key checking is done per backend instance: the known keys live in one
:class:`KnownHosts` shared by every connection of the backend's pool, and the
policy decides what happens to a host that is not in it. Nothing here changes
paramiko's global state.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import io
import logging
import os
import socket
import threading
import warnings
from collections.abc import Iterable
from typing import Any

import paramiko
from paramiko.hostkeys import HostKeyEntry
from remote_store.errors import ConfigError, PermissionDenied

from remote_store_sftp._client import preferred_host_key_types

__all__ = [
    "HostKeyMismatch",
    "HostKeyPolicy",
    "KnownHosts",
    "SFTPUtils",
    "UnknownHostKey",
    "fingerprint",
    "load_private_key",
]

log = logging.getLogger("remote_store.sftp")

_KEY_CLASSES: tuple[type[paramiko.PKey], ...] = (
    paramiko.Ed25519Key,
    paramiko.ECDSAKey,
    paramiko.RSAKey,
)


class HostKeyPolicy(enum.Enum):
    """What to do with a server whose host key is not known."""

    #: Refuse the connection (default).
    STRICT = "strict"
    #: Trust on first use: accept, remember, and append to ``host_keys_path`` on close.
    TOFU = "tofu"
    #: Accept any key with a warning (never for production).
    AUTO_ADD = "auto"

    @classmethod
    def parse(cls, value: str | HostKeyPolicy) -> HostKeyPolicy:
        """Accept an enum member, its value (``"auto"``) or its name (``"AUTO_ADD"``)."""
        if isinstance(value, HostKeyPolicy):
            return value
        text = str(value).strip()
        for member in cls:
            if text.lower() in (member.value, member.name.lower()):
                return member
        if text.lower() == "auto_add":
            return cls.AUTO_ADD
        raise ConfigError(f"host_key_policy must be strict, tofu or auto, got {value!r}")


class UnknownHostKey(PermissionDenied):
    """The server's host key is not in the known hosts and the policy is ``strict``."""

    def __init__(self, host: str, key_type: str, key_fingerprint: str) -> None:
        super().__init__(
            f"unknown host key for {host}: {key_type} {key_fingerprint}; add it to "
            "known_host_keys / host_keys_path or choose host_key_policy='tofu'",
            backend="sftp",
        )
        self.host = host
        self.key_type = key_type
        self.fingerprint = key_fingerprint


class HostKeyMismatch(PermissionDenied):
    """The server presented another key than the one known for it."""


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH-style fingerprint: ``SHA256:<base64 without padding>``."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def host_entry_name(host: str, port: int) -> str:
    """The known_hosts name of a server (``[host]:port`` unless the port is 22)."""
    return host if port == 22 else f"[{host}]:{port}"


def load_private_key(
    text_or_path: str, *, from_file: bool, passphrase: str | None
) -> paramiko.PKey:
    """A private key from PEM/OpenSSH text or a file, of any type paramiko knows."""
    text = text_or_path
    if from_file:
        with open(os.path.expanduser(text_or_path), encoding="utf-8") as handle:
            text = handle.read()
    last: Exception | None = None
    for cls in _KEY_CLASSES:
        try:
            return cls.from_private_key(io.StringIO(text), password=passphrase)
        except paramiko.PasswordRequiredException:
            raise ConfigError("the private key is encrypted: give its passphrase") from None
        except (paramiko.SSHException, ValueError) as exc:
            last = exc
    raise ConfigError(f"cannot load the private key ({type(last).__name__})") from None


class KnownHosts(paramiko.MissingHostKeyPolicy):  # type: ignore[misc, unused-ignore]
    """The known host keys of one backend and the policy for unknown ones."""

    def __init__(self, policy: HostKeyPolicy, lines: Iterable[str], save_path: str | None) -> None:
        self.policy = policy
        self.keys = paramiko.HostKeys()
        self._save_path = save_path
        self._learned: list[str] = []
        self._lock = threading.Lock()
        for line in lines:
            self.add_line(line)

    def add_line(self, line: str) -> None:
        """Add one known_hosts line (comments and markers are skipped)."""
        line = line.strip()
        if not line or line.startswith(("#", "@")):
            return
        try:
            entry = HostKeyEntry.from_line(line)
        except Exception as exc:  # paramiko raises several types on bad base64
            raise ConfigError(f"bad known_hosts line ({type(exc).__name__})") from None
        if entry is None or entry.key is None:
            raise ConfigError("bad known_hosts line")
        for name in entry.hostnames:
            self.keys.add(name, entry.key.get_name(), entry.key)

    def prime(self, client: paramiko.SSHClient) -> None:
        """Give a new client the known keys (paramiko then negotiates a known key type)."""
        with self._lock:
            target = client.get_host_keys()
            for name, by_type in self.keys.items():
                for key_type, key in by_type.items():
                    target.add(name, key_type, key)
        client.set_missing_host_key_policy(self)

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        """Called by paramiko for a host it does not know."""
        with self._lock:
            known = self.keys.lookup(hostname)
            if known is not None and key.get_name() in known:
                if known[key.get_name()] == key:
                    return  # learned by another connection of the pool meanwhile
                raise HostKeyMismatch(
                    f"host key of {hostname} changed: now {fingerprint(key)}", backend="sftp"
                )
            if self.policy is HostKeyPolicy.STRICT:
                raise UnknownHostKey(hostname, key.get_name(), fingerprint(key))
            self.keys.add(hostname, key.get_name(), key)
            if self.policy is HostKeyPolicy.TOFU:
                self._learned.append(f"{hostname} {key.get_name()} {key.get_base64()}")
                log.info("trusting new host key of %s: %s", hostname, fingerprint(key))
            else:
                log.warning("accepting unverified host key of %s: %s", hostname, fingerprint(key))

    def save(self) -> None:
        """Append the keys learned on first use to ``host_keys_path`` (TOFU only)."""
        with self._lock:
            learned, self._learned = self._learned, []
        if not learned or not self._save_path:
            return
        path = os.path.expanduser(self._save_path)
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in learned)


_RSA_COMPAT_DEFAULT = False


def rsa_compat_default() -> bool:
    """Whether :meth:`SFTPUtils.enable_ssh_rsa_compat` was called."""
    return _RSA_COMPAT_DEFAULT


#: ``connect_kwargs`` for servers that only understand the SHA-1 ``ssh-rsa`` signature.
SSH_RSA_COMPAT: dict[str, Any] = {
    "disabled_algorithms": {"pubkeys": ["rsa-sha2-512", "rsa-sha2-256"]},
}


class SFTPUtils:
    """Helpers kept from remote-store 0.27."""

    @staticmethod
    def load_private_key(
        pem_or_path: str, from_file: bool = False, password: str | None = None
    ) -> paramiko.PKey:
        """A paramiko key from PEM text or a file (Ed25519, ECDSA or RSA)."""
        return load_private_key(pem_or_path, from_file=from_file, passphrase=password)

    @staticmethod
    def scan_host_keys(host: str, port: int = 22, timeout: float = 10.0) -> str:
        """The server's host key as a known_hosts line (like ``ssh-keyscan``)."""
        key = _server_key(host, port, timeout, None)
        return f"{host_entry_name(host, port)} {key.get_name()} {key.get_base64()}"

    @staticmethod
    def scan_host_algorithms(host: str, port: int = 22, timeout: float = 10.0) -> list[str]:
        """The host-key algorithms the server offers (one handshake per candidate)."""
        offered = []
        candidates = preferred_host_key_types()
        for algorithm in candidates:
            others = [name for name in candidates if name != algorithm]
            try:
                _server_key(host, port, timeout, {"keys": others})
            except paramiko.SSHException:
                continue
            offered.append(algorithm)
        return offered

    @staticmethod
    def enable_ssh_rsa_compat() -> None:
        """Deprecated: pass ``ssh_rsa_compat=True`` to :class:`SFTPBackend` instead.

        0.27 patched every paramiko transport of the process. Here it only makes
        ``ssh_rsa_compat=True`` the default of SFTP backends created afterwards.
        """
        global _RSA_COMPAT_DEFAULT
        warnings.warn(
            "enable_ssh_rsa_compat() is deprecated: use SFTPBackend(ssh_rsa_compat=True)",
            DeprecationWarning,
            stacklevel=2,
        )
        _RSA_COMPAT_DEFAULT = True


def _server_key(
    host: str, port: int, timeout: float, disabled: dict[str, list[str]] | None
) -> paramiko.PKey:
    sock = socket.create_connection((host, port), timeout=timeout)
    transport = paramiko.Transport(sock, disabled_algorithms=disabled)
    try:
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    finally:
        transport.close()
        sock.close()
