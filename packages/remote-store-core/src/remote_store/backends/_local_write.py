"""The local backend's writes: a hidden temporary file beside the target, then a publish.

Everything happens relative to the target folder's descriptor (see ``_fdroot``): the
temporary file is created there with ``O_CREAT | O_EXCL``, then published with ``linkat``
(create only: exactly one of racing writers wins) followed by ``unlinkat`` of the temporary
name, or with ``renameat`` (overwrite, under the replaced file's lock: ``_local_lock``).
Durable writes fsync the file before and the folder after publishing.
:func:`sweep_temp_files` removes the temporary files of killed writers.
"""

from __future__ import annotations

import math
import os
import re
import stat
import time
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from remote_store._models import WriteResult, native_write_result
from remote_store.backends._fdroot import READ_DIR_FLAGS, release
from remote_store.backends._local_lock import PLAIN_WAIT, etag_of, locked_file
from remote_store.errors import AlreadyExists, InvalidArgument, InvalidPath, PreconditionFailed

if TYPE_CHECKING:
    from remote_store.backends._local import LocalBackend

__all__ = ["TEMP_PREFIX", "TempFile", "publish", "sweep_temp_files"]

#: Name prefix of in-flight temporary files; listings never show them.
TEMP_PREFIX = ".~rs-"
#: The exact names this backend gives its temporary files (the only ones a sweep removes).
TEMP_NAME = re.compile(r"\.~rs-[0-9a-f]{12}\.tmp\Z")
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW


def _is_folder(folder: int, name: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False


def publish(
    src_folder: int, src: str, dst_folder: int, dst: str, key: str, overwrite: bool
) -> None:
    """Move ``src`` onto ``dst`` (each relative to its folder fd): create-only or replace
    (under the lock of the file replaced, so no conditional write interleaves)."""
    if overwrite:
        try:
            with locked_file(dst_folder, dst, PLAIN_WAIT):
                os.replace(src, dst, src_dir_fd=src_folder, dst_dir_fd=dst_folder)
        except OSError:
            if _is_folder(dst_folder, dst):
                raise InvalidPath("target is a folder", path=key, backend="local") from None
            raise
        return
    try:
        os.link(src, dst, src_dir_fd=src_folder, dst_dir_fd=dst_folder, follow_symlinks=False)
    except FileExistsError:
        if _is_folder(dst_folder, dst):
            raise InvalidPath("target is a folder", path=key, backend="local") from None
        raise AlreadyExists("file exists", path=key, backend="local") from None
    os.unlink(src, dir_fd=src_folder)


def fsync_folder(folder: int) -> None:
    """fsync the folder behind a (possibly ``O_PATH``) folder descriptor."""
    fd = os.open(".", READ_DIR_FLAGS, dir_fd=folder)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class TempFile:
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
        self._folder = -1
        self._root_fd = -1
        self._target = ""
        self.name = ""
        self.stream: IO[bytes] = None  # type: ignore[assignment]
        self.result: WriteResult | None = None

    def __enter__(self) -> Any:
        self._root_fd = self._backend._root_handle()
        self._folder, self._target = self._backend._write_target(self._key)
        try:
            while True:
                name = f"{TEMP_PREFIX}{os.urandom(6).hex()}.tmp"
                try:
                    fd = os.open(name, _CREATE_FLAGS, 0o666, dir_fd=self._folder)
                    break
                except FileExistsError:
                    continue
        except BaseException:
            release(self._folder, self._root_fd)
            raise
        self.name = name
        self.stream = os.fdopen(fd, "wb")
        return self.stream if self._overwrite is not None else self

    def publish(self, overwrite: bool) -> WriteResult:
        """fsync when durable, then publish onto the target."""
        st = self._finish()
        publish(self._folder, self.name, self._folder, self._target, self._key, overwrite)
        return self._published(st)

    def publish_if_match(self, etag: str) -> WriteResult:
        """Replace the target only while its etag is ``etag``: under the target's lock,
        the check and the rename are one step for every writer of this backend."""
        st = self._finish()
        with locked_file(self._folder, self._target, None) as current:
            if current is None or etag_of(current) != etag:
                raise PreconditionFailed("etag does not match", path=self._key, backend="local")
            os.replace(self.name, self._target, src_dir_fd=self._folder, dst_dir_fd=self._folder)
        return self._published(st)

    def _finish(self) -> os.stat_result:
        """Flush (and fsync when durable) and close the file; its ``stat``."""
        stream = self.stream
        stream.flush()
        if self._durable:
            os.fsync(stream.fileno())
        st = os.fstat(stream.fileno())
        stream.close()
        return st

    def _published(self, st: os.stat_result) -> WriteResult:
        self.name = ""
        if self._durable:
            fsync_folder(self._folder)
        # the inode, its time and size survive link and rename; the time as the file
        # info has it (the ns stamp truncated to the microsecond), made on first read
        self.result = native_write_result(self._key, st.st_size, st.st_mtime_ns, None, etag_of(st))
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
                    os.unlink(self.name, dir_fd=self._folder)
                except FileNotFoundError:
                    pass
            release(self._folder, self._root_fd)
            self._folder = -1


def sweep_temp_files(root_fd: int, older_than: float) -> int:
    """Remove this backend's temporary files last modified more than ``older_than`` s ago.

    Only regular files whose name is exactly ``.~rs-<12 hex>.tmp`` are removed; the walk
    opens every folder with ``O_NOFOLLOW`` relative to its parent, so it never leaves the
    root. Returns how many files were removed.
    """
    if not isinstance(older_than, (int, float)) or not math.isfinite(older_than):
        raise InvalidArgument(f"older_than must be a finite number of seconds, got {older_than!r}")
    if older_than < 0:
        raise InvalidArgument(f"older_than must not be negative, got {older_than!r}")
    cutoff = time.time() - older_than
    removed = 0
    folders = [os.open(".", READ_DIR_FLAGS, dir_fd=root_fd)]
    while folders:
        fd = folders.pop()
        try:
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        try:
                            folders.append(
                                os.open(entry.name, READ_DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
                            )
                        except OSError:
                            pass  # gone, or swapped for a symlink: not ours to enter
                        continue
                    if not TEMP_NAME.match(entry.name):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                        if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                            os.unlink(entry.name, dir_fd=fd)
                            removed += 1
                    except FileNotFoundError:
                        pass  # published or removed meanwhile
        finally:
            os.close(fd)
    return removed
