"""Writes that never show a partial file: a hidden temporary file, then published.

Every write goes to ``.~tmp.<name>.<8 hex>`` next to its target, created with
``O_EXCL``, and is then published: ``posix-rename@openssh.com`` to replace,
``hardlink@openssh.com`` (or an ``O_EXCL`` claim, then a rename) to create only, so
``overwrite=False`` is decided by the server. A temporary file that cannot be removed
(the connection broke) is removed through the next leased connection.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable

import paramiko
from remote_store.backend import CHUNK_SIZE, WriteResult, parent_key
from remote_store.errors import InvalidPath

from remote_store_sftp import _client
from remote_store_sftp._client import SFTPStatusError, StatusClient, is_dir
from remote_store_sftp._errors import explain

__all__ = ["TEMP_PREFIX", "Publisher", "is_temp_name", "remove_stale", "temp_name"]

#: Name prefix of in-flight temporary files; listings never show them.
TEMP_PREFIX = ".~tmp."
_TEMP_NAME = re.compile(r"\.~tmp\..+\.[0-9a-f]{8}")


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is the name of a temporary file of this backend."""
    return _TEMP_NAME.fullmatch(name) is not None


def temp_name(target: str) -> str:
    """A fresh temporary file name next to the native path ``target``."""
    folder, _, name = target.rpartition("/")
    return f"{folder}/{TEMP_PREFIX}{name}.{os.urandom(4).hex()}"


class Publisher:
    """Uploads, copies and moves onto backend keys (``native`` maps a key to its path)."""

    def __init__(self, native: Callable[[str], str]) -> None:
        self._native = native
        #: Whether to try ``posix-rename@openssh.com`` / ``hardlink@openssh.com`` /
        #: ``copy-data`` (each off once the server says it is unsupported).
        self.posix_rename = True
        self.hardlink = True
        self.copy_data = True
        self._orphans: set[str] = set()
        self._lock = threading.Lock()

    def sweep(self, sftp: StatusClient) -> None:
        """Remove the temporary files left by broken connections."""
        if self._orphans:
            with self._lock:
                orphans, self._orphans = self._orphans, set()
            for temp in orphans:
                self.discard(sftp, temp)

    def discard(self, sftp: StatusClient, temp: str) -> None:
        """Remove a temporary file; remember it for the next connection if that fails."""
        try:
            sftp.remove(temp)
        except SFTPStatusError:
            pass
        except Exception:
            with self._lock:
                self._orphans.add(temp)

    def make_parents(self, sftp: StatusClient, key: str) -> None:
        """Create the missing folders above ``key``."""
        missing: list[str] = []
        folder = parent_key(key)
        while True:
            attrs = sftp.stat_or_none(self._native(folder))
            if attrs is not None:
                if not is_dir(attrs):
                    raise InvalidPath("an ancestor is a file", path=key, backend="sftp")
                break
            missing.append(folder)
            if not folder:
                break
            folder = parent_key(folder)
        for folder in reversed(missing):
            try:
                sftp.mkdir(self._native(folder))
            except SFTPStatusError:
                attrs = sftp.stat_or_none(self._native(folder))  # a racing writer made it?
                if attrs is None or not is_dir(attrs):
                    raise

    def publish(self, sftp: StatusClient, source: str, key: str, overwrite: bool) -> None:
        """Move the finished ``source`` onto ``key``: atomic replace, or create-only."""
        target = self._native(key)
        if overwrite:
            self._replace(sftp, source, target, key)
            return
        if self.hardlink:
            try:
                sftp.hardlink(source, target)
            except SFTPStatusError as exc:
                if exc.code != _client.SFTP_OP_UNSUPPORTED:
                    raise explain(sftp, target, key, exc) from exc
                self.hardlink = False
            else:
                self.discard(sftp, source)
                return
        try:  # O_EXCL claim decides the race, then the finished file replaces the claim
            sftp.open(target, "wxb").close()
        except SFTPStatusError as exc:
            raise explain(sftp, target, key, exc) from exc
        self._replace(sftp, source, target, key)

    def _replace(self, sftp: StatusClient, source: str, target: str, key: str) -> None:
        """``posix-rename`` (atomic), or on a plain SFTPv3 server remove, then rename."""
        if self.posix_rename:
            try:
                sftp.posix_rename(source, target)
                return
            except SFTPStatusError as exc:
                if exc.code != _client.SFTP_OP_UNSUPPORTED:
                    raise explain(sftp, target, key, exc) from exc
                self.posix_rename = False
        try:  # SFTPv3 rename refuses an existing target: not atomic (documented)
            sftp.remove(target)
        except SFTPStatusError:
            pass
        try:
            sftp.rename(source, target)
        except SFTPStatusError as exc:
            raise explain(sftp, target, key, exc) from exc

    def upload(
        self,
        sftp: StatusClient,
        key: str,
        fill: Callable[[paramiko.SFTPFile], int],
        overwrite: bool,
    ) -> WriteResult:
        """Write ``key`` through a temporary file that ``fill`` writes."""
        self.make_parents(sftp, key)
        temp = temp_name(self._native(key))
        try:
            with sftp.open(temp, "wxb") as handle:
                handle.set_pipelined(True)
                size = fill(handle)
            self.publish(sftp, temp, key, overwrite)
        except BaseException:
            self.discard(sftp, temp)
            raise
        return WriteResult(path=key, size=size, source="basic")

    def copy_into(
        self, sftp: StatusClient, source: paramiko.SFTPFile, target: paramiko.SFTPFile
    ) -> int:
        """Copy ``source`` into ``target`` (server side when it can); return the size."""
        if self.copy_data:
            try:
                sftp.copy_data(source, target)
                return int(source.stat().st_size or 0)
            except SFTPStatusError as exc:
                if exc.code != _client.SFTP_OP_UNSUPPORTED:
                    raise
                self.copy_data = False
        total = 0
        while chunk := source.read(CHUNK_SIZE):
            target.write(chunk)
            total += len(chunk)
        return total


def remove_stale(sftp: StatusClient, root: str, limit: float) -> int:
    """Remove the temporary files below ``root`` not modified since ``limit``."""
    removed, stack = 0, [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sftp.listdir_attr(folder)
        except SFTPStatusError:
            continue
        for attrs in entries:
            child = f"{folder}/{attrs.filename}"
            if is_dir(attrs):
                stack.append(child)
            elif is_temp_name(attrs.filename) and (attrs.st_mtime or 0) <= limit:
                sftp.remove(child)
                removed += 1
    return removed
