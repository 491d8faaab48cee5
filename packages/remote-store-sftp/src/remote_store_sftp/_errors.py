"""Native exceptions to ``remote_store.errors``: by SFTP status code and exception type.

Never by message text. OpenSSH answers ``SSH_FX_FAILURE`` for EEXIST, EISDIR and more;
:func:`explain` stats the target to tell those apart.
"""

from __future__ import annotations

import socket

import paramiko
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)

from remote_store_sftp import _client
from remote_store_sftp._client import SFTPStatusError, StatusClient, is_dir
from remote_store_sftp._hostkeys import HostKeyMismatch

__all__ = ["explain", "is_transport_error", "map_native", "map_status"]

_STATUS_ERRORS: dict[int, type[RemoteStoreError]] = {
    _client.SFTP_NO_SUCH_FILE: NotFound,
    _client.SFTP_PERMISSION_DENIED: PermissionDenied,
    _client.SFTP_NO_CONNECTION: BackendUnavailable,
    _client.SFTP_CONNECTION_LOST: BackendUnavailable,
    _client.SFTP_FILE_ALREADY_EXISTS: AlreadyExists,
}


def is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` leaves the connection unusable (as opposed to a status reply)."""
    if isinstance(exc, SFTPStatusError):
        return False
    return isinstance(
        exc,
        (socket.timeout, TimeoutError, EOFError, ConnectionError, paramiko.SSHException, OSError),
    )


def map_status(exc: SFTPStatusError, path: str | None) -> RemoteStoreError:
    """The typed error for an SFTP status reply."""
    kind = _STATUS_ERRORS.get(exc.code, RemoteStoreError)
    return kind(f"SFTP status {exc.code}: {exc.strerror}", path=path, backend="sftp")


def map_native(exc: BaseException, path: str | None) -> RemoteStoreError | None:
    """The typed error for ``exc``, or ``None`` when this module does not know it."""
    if isinstance(exc, RemoteStoreError):
        return exc
    if isinstance(exc, SFTPStatusError):
        return map_status(exc, path)
    if isinstance(exc, paramiko.BadHostKeyException):
        return HostKeyMismatch("the server's host key does not match", backend="sftp")
    if isinstance(exc, paramiko.AuthenticationException):
        return PermissionDenied("SSH authentication failed", path=path, backend="sftp")
    if is_transport_error(exc):
        return BackendUnavailable(
            f"SFTP connection failed: {type(exc).__name__}", path=path, backend="sftp"
        )
    return None


def explain(sftp: StatusClient, native: str, key: str, exc: SFTPStatusError) -> RemoteStoreError:
    """The typed error for a generic failure at ``native``, decided by a stat of it."""
    attrs = sftp.stat_or_none(native)
    if attrs is not None and is_dir(attrs):
        return InvalidPath("is a folder", path=key, backend="sftp")
    if attrs is not None:
        return AlreadyExists("file exists", path=key, backend="sftp")
    return map_status(exc, key)
