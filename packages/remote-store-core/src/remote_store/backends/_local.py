"""LocalBackend: a folder on the local file system.

Every path is checked against the root after symlinks are resolved. Writes go to a
hidden temporary file in the target folder and are published with ``link`` (create
only, race-free) or ``replace``; ``write_atomic`` and ``open_atomic`` also fsync the file
and the folder, so a crash leaves the old file or the whole new one.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import IO, Any, BinaryIO

from remote_store._backend import Backend, parent_key
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._glob import glob_by_listing
from remote_store._models import FileInfo, FolderEntry, ResolutionPlan, WriteResult
from remote_store._path import RemotePath
from remote_store._streams import WritableContent, copy_stream
from remote_store.backends._beneath import load_open_beneath
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)

__all__ = ["TEMP_PREFIX", "LocalBackend"]

#: Name prefix of in-flight temporary files; listings never show them.
TEMP_PREFIX = ".~rs-"
_FD_LINKS = "/proc/self/fd/" if sys.platform.startswith("linux") else None
_O_PATH = getattr(os, "O_PATH", 0)
_OPEN_BENEATH = load_open_beneath()
_STAT_FLAGS = _O_PATH | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_CLOEXEC
_MISSING = (-errno.ENOENT, -errno.ENOTDIR)
_ROOT_FLAGS = (_O_PATH or os.O_RDONLY) | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


class LocalBackend(Backend):
    """Files under ``root`` on the local disk (created if missing)."""

    CAPABILITIES = CapabilitySet(set(Capability) - {Capability.USER_METADATA})

    def __init__(self, root: str | os.PathLike[str]) -> None:
        if not isinstance(root, (str, os.PathLike)) or not os.fspath(root):
            raise InvalidPath("local backend needs a non-empty root folder", backend="local")
        os.makedirs(root, exist_ok=True)
        self._root = os.path.realpath(root)
        self._root_slash = self._root.rstrip("/") + "/"
        self._lock = threading.Lock()
        # the root's own descriptor, opened lazily and never pickled; -1 when not open
        self._root_fd = -1
        fd = self._open_root()
        st = os.fstat(fd)
        self._identity = (st.st_dev, st.st_ino)
        self._root_fd = fd

    def __getstate__(self) -> dict[str, object]:
        # only the path and the folder's identity: a descriptor number means nothing elsewhere
        return {"root": self._root, "identity": self._identity}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._root = state["root"]
        self._root_slash = self._root.rstrip("/") + "/"
        self._identity = tuple(state["identity"])
        self._lock = threading.Lock()
        self._root_fd = -1

    def _open_root(self) -> int:
        try:
            return os.open(self._root, _ROOT_FLAGS)
        except FileNotFoundError:
            raise NotFound("root folder is missing", path=self._root, backend="local") from None
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):  # now a file or a symlink
                raise NotFound(
                    "root folder was replaced since the store was created",
                    path=self._root,
                    backend="local",
                ) from None
            raise

    def _root_handle(self) -> int:
        """The root folder's descriptor, opened on first use in this process (or after close).

        Refuses with :class:`NotFound` a root that was removed or replaced by another folder
        since the backend was created (its device and inode numbers differ).
        """
        fd = self._root_fd
        if fd >= 0:
            return fd
        with self._lock:
            if self._root_fd >= 0:
                return self._root_fd
            fd = self._open_root()
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != self._identity:
                os.close(fd)
                raise NotFound(
                    "root folder was replaced since the store was created",
                    path=self._root,
                    backend="local",
                )
            self._root_fd = fd
            return fd

    def close(self) -> None:
        """Release the root folder's descriptor; never raises (a later call reopens it)."""
        fd, self._root_fd = getattr(self, "_root_fd", -1), -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass

    def __del__(self) -> None:
        self.close()

    def _open_beneath(self, key: str, flags: int) -> int:
        """An fd of ``key`` opened by the kernel strictly inside the root.

        Returns ``-errno``: ``-EXDEV`` (a symlink leaves the root or is absolute) and
        ``-ENOSYS`` (not available) mean "decide on the portable path".
        """
        root_fd = self._root_handle()  # also checks the root is still the same folder
        if _OPEN_BENEATH is None:
            return -errno.ENOSYS
        return _OPEN_BENEATH(root_fd, os.fsencode(key) if key else b".", flags)

    @property
    def name(self) -> str:
        return "local"

    @property
    def root(self) -> str:
        """The resolved absolute root folder."""
        return self._root

    def __repr__(self) -> str:
        return f"LocalBackend(root={self._root!r})"

    # -- path safety ------------------------------------------------------------------

    def _native(self, key: str) -> str:
        return self._root_slash + key if key else self._root

    def _inside(self, real: str) -> bool:
        return real == self._root or real.startswith(self._root_slash)

    def _check_real(self, key: str, native: str) -> None:
        """Refuse a path whose resolved form leaves the root (a symlink escape)."""
        if not self._inside(os.path.realpath(native)):
            raise InvalidPath("path escapes the store root", path=key, backend="local")

    def _check_fd(self, key: str, fd: int) -> None:
        """Refuse an opened file that lies outside the root; closes ``fd`` when refusing."""
        if _FD_LINKS is None:
            real = os.path.realpath(self._native(key))
        else:
            real = os.readlink(_FD_LINKS + str(fd))
        if not self._inside(real):
            os.close(fd)
            raise InvalidPath("path escapes the store root", path=key, backend="local")

    def _stat(self, key: str) -> os.stat_result | None:
        """``stat`` of a key inside the root, or ``None`` when missing or not traversable."""
        fd = self._open_beneath(key, _STAT_FLAGS)
        if fd >= 0:
            try:
                return os.fstat(fd)
            finally:
                os.close(fd)
        if fd in _MISSING:
            return None
        if fd not in (-errno.EXDEV, -errno.ENOSYS):
            raise OSError(-fd, os.strerror(-fd), key)
        native = self._native(key)
        if _O_PATH and _FD_LINKS is not None:
            try:
                fd = os.open(native, _O_PATH)
            except (FileNotFoundError, NotADirectoryError):
                return None
            try:
                if not self._inside(os.readlink(_FD_LINKS + str(fd))):
                    raise InvalidPath("path escapes the store root", path=key, backend="local")
                return os.fstat(fd)
            finally:
                os.close(fd)
        self._check_real(key, native)
        try:
            return os.stat(native)
        except (FileNotFoundError, NotADirectoryError):
            return None

    # -- queries ----------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        return self._stat(path) is not None

    def is_file(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISREG(st.st_mode)

    def is_folder(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def get_file_info(self, path: str) -> FileInfo:
        st = self._stat(path)
        if st is None:
            raise NotFound("file not found", path=path, backend="local")
        if not stat.S_ISREG(st.st_mode):
            raise InvalidPath("not a file", path=path, backend="local")
        return self._info(path, st)

    @staticmethod
    def _info(key: str, st: os.stat_result) -> FileInfo:
        return FileInfo(
            path=RemotePath._trusted(key),
            name=key.rpartition("/")[2],
            size=st.st_size,
            modified_at=_utc(st.st_mtime),
        )

    # -- reads ------------------------------------------------------------------------

    def _open_read(self, key: str) -> tuple[int, int]:
        """An fd open for reading a file inside the root, and the file's size."""
        fd = self._open_beneath(key, _READ_FLAGS)
        if fd < 0:
            if fd in _MISSING:
                raise NotFound("file not found", path=key, backend="local")
            if fd not in (-errno.EXDEV, -errno.ENOSYS):
                raise OSError(-fd, os.strerror(-fd), key)
            try:
                fd = os.open(self._native(key), _READ_FLAGS)
            except NotADirectoryError:
                raise NotFound("file not found", path=key, backend="local") from None
            self._check_fd(key, fd)
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            os.close(fd)
            raise InvalidPath("is a folder", path=key, backend="local")
        return fd, st.st_size

    def read(self, path: str) -> BinaryIO:
        return os.fdopen(self._open_read(path)[0], "rb")

    def read_bytes(self, path: str) -> bytes:
        fd, size = self._open_read(path)
        try:
            data = os.read(fd, size + 1)  # one call when the size is still the fstat one
            if len(data) == size:
                return data
            chunks = [data]  # short read (huge or shrinking file) or a file that grew
            while chunk := os.read(fd, 1024 * 1024):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

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
        with self._temp_for(path, durable=False) as temp:
            copy_stream(content, temp.stream)
            result: WriteResult = temp.publish(overwrite)
        return result

    def write_atomic(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        with self._temp_for(path, durable=True) as temp:
            copy_stream(content, temp.stream)
            result: WriteResult = temp.publish(overwrite)
        return result

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> _TempFile:
        return _TempFile(self, path, durable=True, overwrite=overwrite)

    def _temp_for(self, key: str, *, durable: bool) -> _TempFile:
        return _TempFile(self, key, durable=durable, overwrite=None)

    def _make_parents(self, key: str) -> str:
        """Prepare a write to ``key``; return the native path of its folder.

        Refuses, before anything is created, a folder that resolves outside the root and a
        target that is a symlink leading outside it; then creates the missing folders.
        """
        self._root_handle()  # refuses a root replaced since construction
        folder = self._native(parent_key(key))
        if not self._folder_inside(key, folder):
            if not self._inside(os.path.realpath(folder)):
                raise InvalidPath("path escapes the store root", path=key, backend="local")
            try:
                os.makedirs(folder, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                raise InvalidPath("an ancestor is a file", path=key, backend="local") from None
            self._check_real(key, folder)
        target = self._native(key)
        try:
            is_link = stat.S_ISLNK(os.lstat(target).st_mode)
        except FileNotFoundError:
            is_link = False
        if is_link:
            self._check_real(key, target)
        return folder

    def _folder_inside(self, key: str, folder: str) -> bool:
        """Whether ``folder`` exists as a folder inside the root; ``False`` when missing.

        Raises :class:`InvalidPath` when it resolves outside the root or an ancestor is a file.
        """
        if not (_O_PATH and _FD_LINKS is not None):
            if not os.path.isdir(folder):
                if os.path.lexists(folder) and not os.path.isdir(folder):
                    raise InvalidPath("an ancestor is a file", path=key, backend="local")
                return False
            self._check_real(key, folder)
            return True
        try:
            fd = os.open(folder, _O_PATH | os.O_DIRECTORY)
        except FileNotFoundError:
            return False
        except NotADirectoryError:
            raise InvalidPath("an ancestor is a file", path=key, backend="local") from None
        try:
            if not self._inside(os.readlink(_FD_LINKS + str(fd))):
                raise InvalidPath("path escapes the store root", path=key, backend="local")
        finally:
            os.close(fd)
        return True

    def _publish(self, temp: str, key: str, overwrite: bool) -> None:
        """Move a finished temporary file onto ``key``: create-only or replace."""
        target = self._native(key)
        if overwrite:
            try:
                os.replace(temp, target)
            except OSError:
                if os.path.isdir(target):
                    raise InvalidPath("target is a folder", path=key, backend="local") from None
                raise
            return
        try:
            os.link(temp, target)
        except FileExistsError:
            if os.path.isdir(target):
                raise InvalidPath("target is a folder", path=key, backend="local") from None
            raise AlreadyExists("file exists", path=key, backend="local") from None
        os.unlink(temp)

    # -- deletes ----------------------------------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        st = self._stat(path)
        if st is None:
            if missing_ok:
                return
            raise NotFound("file not found", path=path, backend="local")
        if stat.S_ISDIR(st.st_mode):
            raise InvalidPath("is a folder", path=path, backend="local")
        try:
            os.unlink(self._native(path))
        except FileNotFoundError:
            if not missing_ok:
                raise NotFound("file not found", path=path, backend="local") from None

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        st = self._stat(path)
        if st is None:
            if missing_ok:
                return
            raise NotFound("folder not found", path=path, backend="local")
        if not stat.S_ISDIR(st.st_mode):
            raise InvalidPath("is a file", path=path, backend="local")
        native = self._native(path)
        if recursive:
            shutil.rmtree(native)
            return
        try:
            os.rmdir(native)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise DirectoryNotEmpty("folder is not empty", path=path, backend="local") from None
            raise

    # -- listings ---------------------------------------------------------------------

    def _scan(self, key: str) -> list[tuple[str, os.DirEntry[str], bool]]:
        """Sorted (key, entry, is_folder) of a folder's visible children inside the root."""
        st = self._stat(key)
        if st is None or not stat.S_ISDIR(st.st_mode):
            return []
        prefix = key + "/" if key else ""
        rows = []
        with os.scandir(self._native(key)) as entries:
            for entry in entries:
                if entry.name.startswith(TEMP_PREFIX):
                    continue
                if entry.is_symlink() and not self._inside(os.path.realpath(entry.path)):
                    continue
                is_folder = entry.is_dir()
                rows.append((prefix + entry.name, entry, is_folder))
        rows.sort(key=lambda row: row[0] + "/" if row[2] else row[0])
        return rows

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        limit = max_depth if max_depth is not None else (-1 if recursive else 0)
        return self._walk(path, limit)

    def _walk(self, key: str, limit: int) -> Iterator[FileInfo]:
        for child, entry, is_folder in self._scan(key):
            if is_folder:
                if limit != 0:
                    yield from self._walk(child, limit - 1)
                continue
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue  # removed while listing
            if stat.S_ISREG(st.st_mode):
                yield self._info(child, st)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        for child, entry, is_folder in self._scan(path):
            if is_folder:
                yield FolderEntry(RemotePath._trusted(child), entry.name)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        for child, entry, is_folder in self._scan(path):
            if is_folder:
                yield FolderEntry(RemotePath._trusted(child), entry.name)
                continue
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                yield self._info(child, st)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return glob_by_listing(self, pattern)

    # -- move and copy ----------------------------------------------------------------

    def _source(self, key: str) -> str:
        st = self._stat(key)
        if st is None:
            raise NotFound("source not found", path=key, backend="local")
        if not stat.S_ISREG(st.st_mode):
            raise InvalidPath("source is not a file", path=key, backend="local")
        return self._native(key)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        source = self._source(src)
        self._make_parents(dst)
        self._publish(source, dst, overwrite)  # link+unlink or replace: a rename either way

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        source = self._source(src)
        with self._temp_for(dst, durable=False) as temp:
            with open(source, "rb") as stream:
                copy_stream(stream, temp.stream)
            temp.stream.flush()  # before copystat, or the flush would reset the mtime
            shutil.copystat(source, temp.name)
            temp.publish(overwrite)

    # -- naming and health ------------------------------------------------------------

    def native_path(self, path: str) -> str:
        return self._native(path)

    def to_key(self, native_path: str) -> str:
        text = native_path.replace("\\", "/")
        if text == self._root:
            return ""
        if text.startswith(self._root_slash):
            return text[len(self._root_slash) :]
        return native_path

    def resolve(self, path: str) -> ResolutionPlan:
        native = self._native(path)
        return ResolutionPlan(
            "local", "local", path, native, {"root": self._root, "absolute_path": native}
        )

    def check_health(self) -> None:
        if not os.path.isdir(self._root):
            raise NotFound("root folder is missing", path=self._root, backend="local")
        if not os.access(self._root, os.R_OK | os.W_OK | os.X_OK):
            raise BackendUnavailable("root folder is not accessible", backend="local")

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        if isinstance(exc, NotADirectoryError):
            return NotFound("an ancestor is a file", path=path, backend="local")
        return super().map_error(exc, path)


class _TempFile:
    """A hidden temporary file next to its target, published or removed on exit.

    Used directly as ``open_atomic``'s context manager (``overwrite`` given) and
    internally by the writes (``publish`` called explicitly).
    """

    def __init__(
        self, backend: LocalBackend, key: str, *, durable: bool, overwrite: bool | None
    ) -> None:
        self._backend = backend
        self._key = key
        self._durable = durable
        self._overwrite = overwrite
        self.name = ""
        self.stream: IO[bytes] = None  # type: ignore[assignment]
        self.result: WriteResult | None = None

    def __enter__(self) -> Any:
        folder = self._backend._make_parents(self._key)
        fd, self.name = _mkstemp(folder)
        self.stream = os.fdopen(fd, "wb")
        return self.stream if self._overwrite is not None else self

    def publish(self, overwrite: bool) -> WriteResult:
        """fsync when durable, then publish onto the target."""
        stream = self.stream
        stream.flush()
        if self._durable:
            os.fsync(stream.fileno())
        st = os.fstat(stream.fileno())
        stream.close()
        self._backend._publish(self.name, self._key, overwrite)
        self.name = ""
        if self._durable:
            _fsync_folder(self._backend._native(parent_key(self._key)))
        self.result = WriteResult(
            path=self._key, size=st.st_size, source="native", last_modified=_utc(st.st_mtime)
        )
        return self.result

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None and self._overwrite is not None and self.name:
                self.publish(self._overwrite)
        finally:
            if not self.stream.closed:
                self.stream.close()
            if self.name:
                try:
                    os.unlink(self.name)
                except FileNotFoundError:
                    pass


def _mkstemp(folder: str) -> tuple[int, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    while True:
        name = f"{folder}/{TEMP_PREFIX}{os.urandom(6).hex()}.tmp"
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue


def _fsync_folder(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
