"""SFTPBackend: files under ``base_path`` on an SSH server, through paramiko.

Writes go through a hidden temporary file and are then published by the server
(:mod:`._publish`). Connections come from a small pool (:mod:`._pool`), one thread
per connection at a time; every channel has ``io_timeout`` (:mod:`._connect`).
"""

from __future__ import annotations

import io
import posixpath
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO, TypeVar

import paramiko
from remote_store.backend import (
    CHUNK_SIZE,
    Backend,
    Capability,
    CapabilitySet,
    FileInfo,
    FolderEntry,
    FolderSemantics,
    RemotePath,
    ResolutionPlan,
    RetryPolicy,
    Secret,
    WritableContent,
    WriteResult,
    call_with_retry,
    copy_stream,
    glob_by_listing,
    join_key,
)
from remote_store.errors import (
    AlreadyExists,
    ConfigError,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)

from remote_store_sftp import _client
from remote_store_sftp._client import SFTPStatusError, StatusClient, is_dir
from remote_store_sftp._connect import Connector, connect_options
from remote_store_sftp._errors import explain, map_native
from remote_store_sftp._hostkeys import HostKeyPolicy
from remote_store_sftp._pool import Connection, ConnectionPool
from remote_store_sftp._publish import TEMP_PREFIX, Publisher, is_temp_name, remove_stale
from remote_store_sftp._streams import AtomicUpload, Reader, open_file

__all__ = ["TEMP_PREFIX", "SFTPBackend"]

R = TypeVar("R")
_CONFIG_KEYS = {"known_host_keys"}


def _utc(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


class SFTPBackend(Backend):
    """Files under ``base_path`` on an SFTP server (the options of remote-store 0.27, plus
    ``key_filename``, ``private_key``, ``passphrase``, ``io_timeout``, ``max_connections``
    and ``ssh_rsa_compat``)."""

    CAPABILITIES = CapabilitySet(
        set(Capability)
        - {
            Capability.USER_METADATA,
            Capability.WRITE_RESULT_NATIVE,
            Capability.CONDITIONAL_WRITE,
            Capability.BULK_DELETE,
        }
    )
    FOLDER_SEMANTICS = FolderSemantics.HIERARCHICAL

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
        self._base = posixpath.normpath(base_path or "/")
        if isinstance(retry, Mapping):
            retry = RetryPolicy(**retry)
        self._retry = retry if retry is not None else RetryPolicy(backoff_base=0.5, backoff_max=5)
        self._connect_kwargs = connect_options(connect_kwargs, ssh_rsa_compat)
        self._connector = Connector(
            host,
            self._port,
            username,
            password,
            pkey,
            private_key=private_key,
            key_filename=key_filename,
            passphrase=passphrase,
            host_key_policy=host_key_policy,
            known_host_keys=known_host_keys,
            host_keys_path=host_keys_path,
            config=config,
            connect_kwargs=self._connect_kwargs,
            timeout=timeout,
            io_timeout=io_timeout if io_timeout is not None else self._retry.timeout,
            map_error=self.map_error,
        )
        self._publisher = Publisher(self._abs)
        self._pool = ConnectionPool(
            self._connect, max(1, max_connections), timeout * 6, self._publisher.sweep
        )
        self._owned: list[Connection] = []

    @property
    def name(self) -> str:
        return "sftp"

    @property
    def location(self) -> str:
        """``sftp '<user>@<host>:<port>' folder '<base path>'`` (never a password)."""
        user = f"{self._username}@" if isinstance(self._username, str) and self._username else ""
        return f"sftp '{user}{self._host}:{self._port}' folder {self._base!r}"

    def __repr__(self) -> str:
        return (
            f"SFTPBackend(host={self._host!r}, port={self._port}, "
            f"username={self._username!r}, base_path={self._base!r})"
        )

    # -- connections ------------------------------------------------------------------

    def _connect(self) -> Connection:
        return call_with_retry(self._retry, self._connector.connect, backend="sftp", name="connect")

    def _run(self, key: str | None, op: Callable[[StatusClient], R], *, retry: bool = True) -> R:
        """Run ``op`` on a leased connection; retried when idempotent and the error is."""
        retry_policy = self._retry if retry else None
        return self._pool.run(op, lambda exc: self.map_error(exc, key), retry_policy)

    # -- server features the publisher probes (tests switch them off) -----------------

    @property
    def _hardlink(self) -> bool:
        return self._publisher.hardlink

    @_hardlink.setter
    def _hardlink(self, value: bool) -> None:
        self._publisher.hardlink = value

    @property
    def _copy_data(self) -> bool:
        return self._publisher.copy_data

    @_copy_data.setter
    def _copy_data(self, value: bool) -> None:
        self._publisher.copy_data = value

    # -- paths and stat ---------------------------------------------------------------

    def _abs(self, key: str) -> str:
        if not key:
            return self._base
        return f"{self._base.rstrip('/')}/{key}" if self._base != "." else key

    def _info(self, key: str, attrs: paramiko.SFTPAttributes) -> FileInfo:
        return FileInfo(
            path=RemotePath._trusted(key),
            name=key.rpartition("/")[2],
            size=attrs.st_size or 0,
            modified_at=_utc(attrs.st_mtime),
        )

    def get_file_info(self, path: str) -> FileInfo:
        def op(sftp: StatusClient) -> FileInfo:
            attrs = sftp.stat(self._abs(path))
            if is_dir(attrs):
                raise InvalidPath("not a file", path=path, backend="sftp")
            return self._info(path, attrs)

        return self._run(path, op)

    def _kind(self, path: str) -> str:
        attrs = self._run(path, lambda sftp: sftp.stat_or_none(self._abs(path)))
        return "" if attrs is None else ("dir" if is_dir(attrs) else "file")

    def is_file(self, path: str) -> bool:
        return path != "" and self._kind(path) == "file"

    def is_folder(self, path: str) -> bool:
        return path == "" or self._kind(path) == "dir"

    def exists(self, path: str) -> bool:
        return path == "" or self._kind(path) != ""

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        def attempt() -> BinaryIO:
            conn = self._pool.acquire()
            try:
                handle, size = open_file(conn.sftp, self._abs(path), path)
            except Exception as exc:
                self._pool.release(conn, exc)
                if isinstance(exc, RemoteStoreError):
                    raise exc from None
                raise self.map_error(exc, path) from exc
            reader = Reader(handle, size, lambda exc: self._pool.release(conn, exc))
            return io.BufferedReader(reader, CHUNK_SIZE)

        return call_with_retry(self._retry, attempt, backend="sftp", name="read", path=path)

    def read_seekable(self, path: str) -> BinaryIO:
        return self.read(path)

    # -- writes -----------------------------------------------------------------------

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
            return copy_stream(content, handle)  # type: ignore[arg-type, unused-ignore]

        return self._run(
            path,
            lambda sftp: self._publisher.upload(sftp, path, fill, overwrite),
            retry=replayable,
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
                if exc.code == _client.SFTP_NO_SUCH_FILE and missing_ok:
                    return
                error = explain(sftp, self._abs(path), path, exc)
                raise (exc if isinstance(error, AlreadyExists) else error) from exc

        self._run(path, op, retry=missing_ok)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        def op(sftp: StatusClient) -> None:
            native = self._abs(path)
            attrs = sftp.stat_or_none(native)
            if attrs is None:
                if missing_ok:
                    return
                raise NotFound("folder not found", path=path, backend="sftp")
            if not is_dir(attrs):
                raise InvalidPath("is a file", path=path, backend="sftp")
            if recursive:
                sftp.rmtree(native)
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

    def cleanup_temp_files(self, path: str = "", *, older_than: float = 3600.0) -> int:
        """Remove this backend's temporary files (``.~tmp.<name>.<8 hex>``) older than
        ``older_than`` seconds below ``path``, left by a killed client; return the count."""
        limit = time.time() - older_than
        return self._run(path, lambda sftp: remove_stale(sftp, self._abs(path), limit))

    # -- listings ---------------------------------------------------------------------

    def _scan(self, key: str) -> list[tuple[str, paramiko.SFTPAttributes, bool]]:
        """Sorted (key, attrs, is_folder) of a folder's visible children; ``[]`` if none."""
        entries = self._run(key, lambda sftp: sftp.list_folder(self._abs(key), is_temp_name))
        rows = [(join_key(key, attrs.filename), attrs, is_dir(attrs)) for attrs in entries]
        rows.sort(key=lambda row: row[0] + "/" if row[2] else row[0])
        return rows

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
        if is_dir(attrs):
            raise InvalidPath("source is a folder", path=key, backend="sftp")
        return self._abs(key)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        def op(sftp: StatusClient) -> None:
            source = self._source(sftp, src)
            self._publisher.make_parents(sftp, dst)
            self._publisher.publish(sftp, source, dst, overwrite)

        self._run(src, op, retry=False)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        def op(sftp: StatusClient) -> WriteResult:
            with sftp.open(self._source(sftp, src), "rb") as source:
                return self._publisher.upload(
                    sftp,
                    dst,
                    lambda target: self._publisher.copy_into(sftp, source, target),
                    overwrite,
                )

        self._run(src, op, retry=overwrite)

    # -- errors, naming, lifecycle ----------------------------------------------------

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        error = map_native(exc, path)
        return error if error is not None else super().map_error(exc, path)

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
            return conn.sftp  # type: ignore[return-value, unused-ignore]
        return super().unwrap(type_hint)

    def close(self) -> None:
        self._pool.close()
        for conn in self._owned:
            conn.close()
        self._owned.clear()
        self._connector.known_hosts.save()
