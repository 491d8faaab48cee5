"""SFTPBackend: files under ``base_path`` on an SSH server, through paramiko.

Every write goes to a hidden temporary file ``.~tmp.<name>.<8 hex>`` next to its
target, created with ``O_EXCL``, and is then published: ``posix-rename@openssh.com``
to replace, ``hardlink@openssh.com`` (or an ``O_EXCL`` claim, then a rename) to
create only, so ``overwrite=False`` is decided by the server. Connections come from
a small pool, one thread per connection at a time; every channel has ``io_timeout``.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO, TypeVar

import paramiko
from remote_store._backend import Backend, join_key, parent_key
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._glob import glob_by_listing
from remote_store._models import FileInfo, FolderEntry, ResolutionPlan, WriteResult
from remote_store._path import RemotePath
from remote_store._retry import RetryPolicy, call_with_retry
from remote_store._secret import Secret, reveal
from remote_store._streams import CHUNK_SIZE, WritableContent, copy_stream
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    ConfigError,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)

from remote_store_sftp import _pool
from remote_store_sftp._hostkeys import (
    SSH_RSA_COMPAT,
    HostKeyMismatch,
    HostKeyPolicy,
    KnownHosts,
    load_private_key,
    rsa_compat_default,
)
from remote_store_sftp._pool import Connection, ConnectionPool, SFTPStatusError, StatusClient
from remote_store_sftp._streams import AtomicUpload, Reader

__all__ = ["TEMP_PREFIX", "SFTPBackend"]

R = TypeVar("R")
#: Name prefix of in-flight temporary files; listings never show them.
TEMP_PREFIX = ".~tmp."
_TEMP_NAME = re.compile(r"\.~tmp\..+\.[0-9a-f]{8}")
_STATUS_ERRORS: dict[int, type[RemoteStoreError]] = {
    _pool.SFTP_NO_SUCH_FILE: NotFound,
    _pool.SFTP_PERMISSION_DENIED: PermissionDenied,
    6: BackendUnavailable,  # SSH_FX_NO_CONNECTION
    7: BackendUnavailable,  # SSH_FX_CONNECTION_LOST
    11: AlreadyExists,  # SSH_FX_FILE_ALREADY_EXISTS (SFTP v5+ servers)
}
_CONFIG_KEYS = {"known_host_keys"}


def _utc(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _is_dir(attrs: paramiko.SFTPAttributes) -> bool:
    return stat.S_ISDIR(attrs.st_mode or 0)


class SFTPBackend(Backend):
    """Files under ``base_path`` on an SFTP server (the options of remote-store 0.27, plus
    ``key_filename``, ``private_key``, ``passphrase``, ``io_timeout``, ``max_connections``
    and ``ssh_rsa_compat``)."""

    CAPABILITIES = CapabilitySet(
        set(Capability) - {Capability.USER_METADATA, Capability.WRITE_RESULT_NATIVE}
    )

    def __init__(
        self,
        host: str,
        port: int = 22,
        username: str | None = None,
        password: str | Secret | None = None,
        pkey: paramiko.PKey | None = None,
        base_path: str = "/",
        host_key_policy: str | HostKeyPolicy = HostKeyPolicy.STRICT,
        known_host_keys: str | Secret | None = None,
        host_keys_path: str | None = "~/.ssh/known_hosts",
        config: Mapping[str, Any] | None = None,
        timeout: float = 10.0,
        connect_kwargs: Mapping[str, Any] | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        *,
        key_filename: str | Secret | list[str] | None = None,
        private_key: str | Secret | None = None,
        passphrase: str | Secret | None = None,
        io_timeout: float | None = 30.0,
        max_connections: int = 8,
        ssh_rsa_compat: bool | None = None,
    ) -> None:
        if not host:
            raise ConfigError("sftp backend needs a host")
        unknown = set(config or {}) - _CONFIG_KEYS
        if unknown:
            raise ConfigError(f"unknown sftp config keys: {sorted(unknown)}")
        self._host, self._port, self._username = host, int(port), username
        self._password = password
        self._base = posixpath.normpath(base_path or "/")
        self._timeout = timeout
        if isinstance(retry, Mapping):
            retry = RetryPolicy(**retry)
        self._retry = retry if retry is not None else RetryPolicy(backoff_base=0.5, backoff_max=5)
        self._io_timeout = io_timeout if io_timeout is not None else self._retry.timeout
        if private_key is not None:
            if pkey is not None:
                raise ConfigError("give pkey or private_key, not both")
            pkey = load_private_key(
                reveal(private_key) or "", from_file=False, passphrase=reveal(passphrase)
            )
        if isinstance(key_filename, Secret):
            key_filename = key_filename.reveal()
        self._pkey, self._key_filename, self._passphrase = pkey, key_filename, passphrase
        self._connect_kwargs = dict(connect_kwargs or {})
        compat = rsa_compat_default() if ssh_rsa_compat is None else ssh_rsa_compat
        if compat:
            self._connect_kwargs = {**SSH_RSA_COMPAT, **self._connect_kwargs}
        inline = reveal(known_host_keys) or reveal((config or {}).get("known_host_keys"))
        inline = inline or os.environ.get("SFTP_KNOWN_HOST_KEYS")
        lines: list[str] = inline.splitlines() if inline else []
        if not inline and host_keys_path and os.path.isfile(os.path.expanduser(host_keys_path)):
            with open(os.path.expanduser(host_keys_path), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        policy = HostKeyPolicy.parse(host_key_policy)
        self._known = KnownHosts(policy, lines, host_keys_path)
        self._pool = ConnectionPool(self._connect, max(1, max_connections), wait=timeout * 6)
        self._orphans: set[str] = set()
        self._lock = threading.Lock()
        self._hardlink = True
        self._copy_data = True
        self._owned: list[Connection] = []

    @property
    def name(self) -> str:
        return "sftp"

    def __repr__(self) -> str:
        return (
            f"SFTPBackend(host={self._host!r}, port={self._port}, "
            f"username={self._username!r}, base_path={self._base!r})"
        )

    # -- connections ------------------------------------------------------------------

    def _connect(self) -> Connection:
        def attempt() -> Connection:
            client = paramiko.SSHClient()
            self._known.prime(client)
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
                raise self.map_error(exc) from None
            assert sftp is not None
            channel = sftp.get_channel()
            assert channel is not None
            channel.settimeout(self._io_timeout)
            return Connection(client, sftp)

        return call_with_retry(self._retry, attempt)

    def _lease(self) -> Connection:
        conn = self._pool.acquire()
        if self._orphans:
            with self._lock:
                orphans, self._orphans = self._orphans, set()
            for temp in orphans:
                self._discard(conn.sftp, temp)
        return conn

    def _run(self, key: str | None, op: Callable[[StatusClient], R], *, retry: bool = True) -> R:
        """Run ``op`` on a leased connection; retried when idempotent and the error is."""

        def attempt() -> R:
            conn = self._lease()
            try:
                result = op(conn.sftp)
            except Exception as exc:
                self._pool.release(conn, exc)
                if isinstance(exc, RemoteStoreError):
                    raise
                raise self.map_error(exc, key) from exc
            self._pool.release(conn)
            return result

        return call_with_retry(self._retry if retry else None, attempt)

    def _discard(self, sftp: StatusClient, temp: str) -> None:
        """Remove a temporary file; remember it for the next connection if that fails."""
        try:
            sftp.remove(temp)
        except SFTPStatusError:
            pass
        except Exception:
            with self._lock:
                self._orphans.add(temp)

    # -- paths and stat ---------------------------------------------------------------

    def _abs(self, key: str) -> str:
        if not key:
            return self._base
        return f"{self._base.rstrip('/')}/{key}" if self._base != "." else key

    @staticmethod
    def _stat(sftp: StatusClient, native: str) -> paramiko.SFTPAttributes | None:
        try:
            return sftp.stat(native)
        except SFTPStatusError as exc:
            if exc.code == _pool.SFTP_NO_SUCH_FILE:
                return None
            raise

    def _info(self, key: str, attrs: paramiko.SFTPAttributes) -> FileInfo:
        return FileInfo(
            path=RemotePath._trusted(key),
            name=key.rpartition("/")[2],
            size=attrs.st_size or 0,
            modified_at=_utc(attrs.st_mtime),
        )

    def _explain(self, sftp: StatusClient, key: str, exc: SFTPStatusError) -> RemoteStoreError:
        """A generic failure (OpenSSH says SSH_FX_FAILURE for EEXIST, EISDIR...): stat to decide."""
        attrs = self._stat(sftp, self._abs(key))
        if attrs is not None and _is_dir(attrs):
            return InvalidPath("is a folder", path=key, backend="sftp")
        if attrs is not None:
            return AlreadyExists("file exists", path=key, backend="sftp")
        return self.map_error(exc, key)

    def get_file_info(self, path: str) -> FileInfo:
        def op(sftp: StatusClient) -> FileInfo:
            attrs = sftp.stat(self._abs(path))
            if _is_dir(attrs):
                raise InvalidPath("not a file", path=path, backend="sftp")
            return self._info(path, attrs)

        return self._run(path, op)

    def _kind(self, path: str) -> str:
        attrs = self._run(path, lambda sftp: self._stat(sftp, self._abs(path)))
        return "" if attrs is None else ("dir" if _is_dir(attrs) else "file")

    def is_file(self, path: str) -> bool:
        return path != "" and self._kind(path) == "file"

    def is_folder(self, path: str) -> bool:
        return path == "" or self._kind(path) == "dir"

    def exists(self, path: str) -> bool:
        return path == "" or self._kind(path) != ""

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        def attempt() -> BinaryIO:
            conn = self._lease()
            try:
                handle = conn.sftp.open(self._abs(path), "rb")
                attrs = handle.stat()
                if _is_dir(attrs):
                    handle.close()
                    raise InvalidPath("is a folder", path=path, backend="sftp")
            except Exception as exc:
                if isinstance(exc, SFTPStatusError) and exc.code == _pool.SFTP_FAILURE:
                    error = self._explain(conn.sftp, path, exc)  # OpenSSH: EISDIR
                    exc = error if isinstance(error, InvalidPath) else exc
                self._pool.release(conn, exc)
                if isinstance(exc, RemoteStoreError):
                    raise exc from None
                raise self.map_error(exc, path) from exc
            reader = Reader(handle, attrs.st_size or 0, lambda exc: self._pool.release(conn, exc))
            return io.BufferedReader(reader, CHUNK_SIZE)

        return call_with_retry(self._retry, attempt)

    def read_seekable(self, path: str) -> BinaryIO:
        return self.read(path)

    # -- writes -----------------------------------------------------------------------

    def _make_parents(self, sftp: StatusClient, key: str) -> None:
        missing: list[str] = []
        folder = parent_key(key)
        while True:
            attrs = self._stat(sftp, self._abs(folder))
            if attrs is not None:
                if not _is_dir(attrs):
                    raise InvalidPath("an ancestor is a file", path=key, backend="sftp")
                break
            missing.append(folder)
            if not folder:
                break
            folder = parent_key(folder)
        for folder in reversed(missing):
            try:
                sftp.mkdir(self._abs(folder))
            except SFTPStatusError:
                attrs = self._stat(sftp, self._abs(folder))  # a racing writer made it?
                if attrs is None or not _is_dir(attrs):
                    raise

    @staticmethod
    def _temp_name(target: str) -> str:
        folder, _, name = target.rpartition("/")
        return f"{folder}/{TEMP_PREFIX}{name}.{os.urandom(4).hex()}"

    def _publish(self, sftp: StatusClient, source: str, key: str, overwrite: bool) -> None:
        """Move the finished ``source`` onto ``key``: atomic replace, or create-only."""
        target = self._abs(key)
        if overwrite:
            try:
                sftp.posix_rename(source, target)
            except SFTPStatusError as exc:
                if exc.code != _pool.SFTP_OP_UNSUPPORTED:
                    raise self._explain(sftp, key, exc) from exc
                try:  # SFTPv3 rename refuses an existing target: not atomic (documented)
                    sftp.remove(target)
                except SFTPStatusError:
                    pass
                sftp.rename(source, target)
            return
        if self._hardlink:
            try:
                sftp.hardlink(source, target)
            except SFTPStatusError as exc:
                if exc.code != _pool.SFTP_OP_UNSUPPORTED:
                    raise self._explain(sftp, key, exc) from exc
                self._hardlink = False
            else:
                self._discard(sftp, source)
                return
        try:  # O_EXCL claim decides the race, then the finished file replaces the claim
            sftp.open(target, "wxb").close()
        except SFTPStatusError as exc:
            raise self._explain(sftp, key, exc) from exc
        sftp.posix_rename(source, target)

    def _upload_on(
        self,
        sftp: StatusClient,
        key: str,
        fill: Callable[[paramiko.SFTPFile], int],
        overwrite: bool,
    ) -> WriteResult:
        self._make_parents(sftp, key)
        temp = self._temp_name(self._abs(key))
        try:
            with sftp.open(temp, "wxb") as handle:
                handle.set_pipelined(True)
                size = fill(handle)
            self._publish(sftp, temp, key, overwrite)
        except BaseException:
            self._discard(sftp, temp)
            raise
        return WriteResult(path=key, size=size, source="basic")

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        replayable = overwrite and isinstance(content, (bytes, bytearray, memoryview))

        def fill(handle: paramiko.SFTPFile) -> int:
            return copy_stream(content, handle)  # type: ignore[arg-type]

        return self._run(
            path, lambda sftp: self._upload_on(sftp, path, fill, overwrite), retry=replayable
        )

    write_atomic = write

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AtomicUpload:
        return AtomicUpload(self, path, overwrite)

    # -- deletes ----------------------------------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        def op(sftp: StatusClient) -> None:
            try:
                sftp.remove(self._abs(path))
            except SFTPStatusError as exc:
                if exc.code == _pool.SFTP_NO_SUCH_FILE and missing_ok:
                    return
                error = self._explain(sftp, path, exc)
                raise (exc if isinstance(error, AlreadyExists) else error) from exc

        self._run(path, op, retry=missing_ok)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        def op(sftp: StatusClient) -> None:
            native = self._abs(path)
            attrs = self._stat(sftp, native)
            if attrs is None:
                if missing_ok:
                    return
                raise NotFound("folder not found", path=path, backend="sftp")
            if not _is_dir(attrs):
                raise InvalidPath("is a file", path=path, backend="sftp")
            if recursive:
                self._rmtree(sftp, native)
                return
            try:
                sftp.rmdir(native)
            except SFTPStatusError:
                if sftp.listdir(native):
                    raise DirectoryNotEmpty(
                        "folder is not empty", path=path, backend="sftp"
                    ) from None
                raise

        self._run(path, op, retry=missing_ok)

    def _rmtree(self, sftp: StatusClient, native: str) -> None:
        for attrs in sftp.listdir_attr(native):
            child = f"{native}/{attrs.filename}"
            if _is_dir(attrs):
                self._rmtree(sftp, child)
            else:
                sftp.remove(child)
        sftp.rmdir(native)

    def cleanup_temp_files(self, path: str = "", *, older_than: float = 3600.0) -> int:
        """Remove this backend's temporary files (``.~tmp.<name>.<8 hex>``) older than
        ``older_than`` seconds below ``path``, left by a killed client; return the count."""
        limit = time.time() - older_than

        def op(sftp: StatusClient) -> int:
            removed, stack = 0, [self._abs(path)]
            while stack:
                folder = stack.pop()
                try:
                    entries = sftp.listdir_attr(folder)
                except SFTPStatusError:
                    continue
                for attrs in entries:
                    child = f"{folder}/{attrs.filename}"
                    if _is_dir(attrs):
                        stack.append(child)
                    elif _TEMP_NAME.fullmatch(attrs.filename) and (attrs.st_mtime or 0) <= limit:
                        sftp.remove(child)
                        removed += 1
            return removed

        return self._run(path, op)

    # -- listings ---------------------------------------------------------------------

    def _scan(self, key: str) -> list[tuple[str, paramiko.SFTPAttributes, bool]]:
        """Sorted (key, attrs, is_folder) of a folder's visible children; ``[]`` if none."""

        def op(sftp: StatusClient) -> list[tuple[str, paramiko.SFTPAttributes, bool]]:
            native = self._abs(key)
            try:
                entries = sftp.listdir_attr(native)
            except SFTPStatusError as exc:
                attrs = self._stat(sftp, native)
                if attrs is None or not _is_dir(attrs):
                    return []
                raise self.map_error(exc, key) from exc
            rows = []
            for attrs in entries:
                if _TEMP_NAME.fullmatch(attrs.filename):
                    continue
                if stat.S_ISLNK(attrs.st_mode or 0):
                    followed = self._stat(sftp, f"{native}/{attrs.filename}")
                    if followed is None:
                        continue
                    followed.filename = attrs.filename
                    attrs = followed
                rows.append((join_key(key, attrs.filename), attrs, _is_dir(attrs)))
            rows.sort(key=lambda row: row[0] + "/" if row[2] else row[0])
            return rows

        return self._run(key, op)

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        limit = max_depth if max_depth is not None else (-1 if recursive else 0)
        for child, attrs, is_folder in self._scan(path):
            if is_folder:
                if limit != 0:
                    yield from self.list_files(child, max_depth=limit - 1)
            elif stat.S_ISREG(attrs.st_mode or 0):
                yield self._info(child, attrs)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        for child, attrs, is_folder in self._scan(path):
            if is_folder:
                yield FolderEntry(RemotePath._trusted(child), attrs.filename)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        for child, attrs, is_folder in self._scan(path):
            if is_folder:
                yield FolderEntry(RemotePath._trusted(child), attrs.filename)
            elif stat.S_ISREG(attrs.st_mode or 0):
                yield self._info(child, attrs)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return glob_by_listing(self, pattern)

    # -- move and copy ----------------------------------------------------------------

    def _source(self, sftp: StatusClient, key: str) -> str:
        attrs = sftp.stat(self._abs(key))
        if _is_dir(attrs):
            raise InvalidPath("source is a folder", path=key, backend="sftp")
        return self._abs(key)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        def op(sftp: StatusClient) -> None:
            source = self._source(sftp, src)
            self._make_parents(sftp, dst)
            self._publish(sftp, source, dst, overwrite)

        self._run(src, op, retry=False)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        def op(sftp: StatusClient) -> WriteResult:
            with sftp.open(self._source(sftp, src), "rb") as source:
                return self._upload_on(
                    sftp, dst, lambda target: self._copy_into(sftp, source, target), overwrite
                )

        self._run(src, op, retry=overwrite)

    def _copy_into(
        self, sftp: StatusClient, source: paramiko.SFTPFile, target: paramiko.SFTPFile
    ) -> int:
        if self._copy_data:
            try:
                sftp.copy_data(source, target)
                return int(source.stat().st_size or 0)
            except SFTPStatusError as exc:
                if exc.code != _pool.SFTP_OP_UNSUPPORTED:
                    raise
                self._copy_data = False
        total = 0
        while chunk := source.read(CHUNK_SIZE):
            target.write(chunk)
            total += len(chunk)
        return total

    # -- errors, naming, lifecycle ----------------------------------------------------

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        if isinstance(exc, RemoteStoreError):
            return exc
        if isinstance(exc, SFTPStatusError):
            kind = _STATUS_ERRORS.get(exc.code, RemoteStoreError)
            return kind(f"SFTP status {exc.code}: {exc.strerror}", path=path, backend="sftp")
        if isinstance(exc, paramiko.BadHostKeyException):
            return HostKeyMismatch("the server's host key does not match", backend="sftp")
        if isinstance(exc, paramiko.AuthenticationException):
            return PermissionDenied("SSH authentication failed", path=path, backend="sftp")
        if _pool.is_transport_error(exc):
            return BackendUnavailable(
                f"SFTP connection failed: {type(exc).__name__}", path=path, backend="sftp"
            )
        return super().map_error(exc, path)

    def native_path(self, path: str) -> str:
        return self._abs(path)

    def to_key(self, native_path: str) -> str:
        prefix = self._base.rstrip("/") + "/"
        if native_path == self._base:
            return ""
        return native_path[len(prefix) :] if native_path.startswith(prefix) else native_path

    def resolve(self, path: str) -> ResolutionPlan:
        details = {"host": self._host, "port": self._port, "base_path": self._base}
        return ResolutionPlan("sftp", "sftp", path, self._abs(path), details)

    def check_health(self) -> None:
        self._run(None, lambda sftp: sftp.normalize("."))

    def unwrap(self, type_hint: type[R]) -> R:
        if (
            isinstance(type_hint, type)
            and issubclass(StatusClient, type_hint)
            and type_hint is not object
        ):
            conn = self._connect()
            self._owned.append(conn)
            return conn.sftp  # type: ignore[return-value]
        return super().unwrap(type_hint)

    def close(self) -> None:
        self._pool.close()
        for conn in self._owned:
            conn.close()
        self._owned.clear()
        self._known.save()
