"""Our SFTP client: paramiko's, keeping the status code of every SFTP error reply.

This is the only module that uses paramiko's private API, because paramiko has no
public way to:

* keep the status code of an error reply: ``SFTPClient._convert_status`` turns it into
  an ``IOError`` whose errno is guessed for a few codes only, and the backend classifies
  errors by code, never by message text;
* send an extended request (``hardlink@openssh.com``, ``copy-data``):
  ``SFTPClient._request``;
* list the host-key algorithms it can negotiate: ``Transport._preferred_keys``.
"""

from __future__ import annotations

import errno
import stat
from collections.abc import Callable
from typing import Any

import paramiko
from paramiko.sftp import CMD_EXTENDED, int64

__all__ = ["SFTPStatusError", "StatusClient", "is_dir", "preferred_host_key_types"]

SFTP_NO_SUCH_FILE = 2
SFTP_PERMISSION_DENIED = 3
SFTP_FAILURE = 4
SFTP_NO_CONNECTION = 6
SFTP_CONNECTION_LOST = 7
SFTP_OP_UNSUPPORTED = 8
SFTP_FILE_ALREADY_EXISTS = 11  # SFTP v5+ servers
_ERRNO = {SFTP_NO_SUCH_FILE: errno.ENOENT, SFTP_PERMISSION_DENIED: errno.EACCES}


class SFTPStatusError(OSError):
    """An SFTP status reply that is an error; ``code`` is the SSH_FX_* number."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(_ERRNO.get(code, errno.EIO), text)
        self.code = code


class StatusClient(paramiko.SFTPClient):  # type: ignore[misc, unused-ignore]
    """paramiko's client, raising :class:`SFTPStatusError` so the status code survives."""

    def _convert_status(self, msg: paramiko.Message) -> None:
        code = msg.get_int()
        text = msg.get_text()
        if code == paramiko.sftp.SFTP_OK:
            return
        if code == paramiko.sftp.SFTP_EOF:
            raise EOFError(text)  # paramiko's own loops rely on it
        raise SFTPStatusError(code, text)

    def extended(self, name: str, *args: Any) -> None:
        """Send an extended request (``hardlink@openssh.com``, ``copy-data``...)."""
        self._request(CMD_EXTENDED, name, *args)  # type: ignore[attr-defined, unused-ignore]

    def hardlink(self, old: str, new: str) -> None:
        """``hardlink@openssh.com``: create-only, fails when ``new`` exists."""
        self.extended("hardlink@openssh.com", old, new)

    def copy_data(self, src: paramiko.SFTPFile, dst: paramiko.SFTPFile) -> None:
        """The ``copy-data`` extension: the server copies ``src`` into ``dst``."""
        self.extended("copy-data", src.handle, int64(0), int64(0), dst.handle, int64(0))

    def stat_or_none(self, path: str) -> paramiko.SFTPAttributes | None:
        """``stat``, or ``None`` when nothing is at ``path``."""
        try:
            return self.stat(path)
        except SFTPStatusError as exc:
            if exc.code == SFTP_NO_SUCH_FILE:
                return None
            raise

    def list_folder(self, path: str, skip: Callable[[str], bool]) -> list[paramiko.SFTPAttributes]:
        """The entries of folder ``path`` not named ``skip``, symlinks followed (dangling
        ones left out); ``[]`` when ``path`` is not a folder."""
        try:
            entries = self.listdir_attr(path)
        except SFTPStatusError:
            attrs = self.stat_or_none(path)
            if attrs is None or not is_dir(attrs):
                return []
            raise
        shown = []
        for attrs in entries:
            if skip(attrs.filename):
                continue
            if stat.S_ISLNK(attrs.st_mode or 0):
                followed = self.stat_or_none(f"{path}/{attrs.filename}")
                if followed is None:
                    continue
                followed.filename = attrs.filename
                attrs = followed
            shown.append(attrs)
        return shown

    def rmtree(self, path: str) -> None:
        """Remove the folder ``path`` and everything in it."""
        for attrs in self.listdir_attr(path):
            child = f"{path}/{attrs.filename}"
            if is_dir(attrs):
                self.rmtree(child)
            else:
                self.remove(child)
        self.rmdir(path)


def is_dir(attrs: paramiko.SFTPAttributes) -> bool:
    """Whether ``attrs`` describe a folder."""
    return stat.S_ISDIR(attrs.st_mode or 0)


def preferred_host_key_types() -> list[str]:
    """The host-key algorithms paramiko can negotiate, most preferred first."""
    return list(paramiko.Transport._preferred_keys)  # type: ignore[attr-defined, unused-ignore]
