"""The local backend's compare-and-swap: an advisory lock on the target file itself.

POSIX has no "rename only if the target is still this file" call, so a conditional write
locks the file it is about to replace (``flock``, exclusive, on the file's own inode: no
lock file exists, so listings show nothing new), checks that the name still points at
that inode and that the inode's etag is the expected one, and renames its temporary file
over the name while it holds the lock. Every other replacing operation of this backend
(an overwriting write, copy or move, a delete) takes the same lock, so none of them can
slip in between the check and the rename. See docs/backends/local.md.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager

from remote_store.errors import BackendUnavailable

__all__ = ["PLAIN_WAIT", "etag_of", "locked_file"]

#: Seconds an unconditional replace waits for the lock before it goes ahead without it.
#: Writers of this backend hold the lock for microseconds (a check and a rename): only
#: another program that ``flock``\ s the file itself holds it longer, and a plain write
#: never waited for such a program before.
PLAIN_WAIT = 1.0
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def etag_of(st: os.stat_result) -> str:
    """The etag of a local file: inode, modification time (ns) and size.

    Every write publishes a new file (a new inode), and a change in place moves the
    modification time, so the etag changes with every version of the file.
    """
    return "%x-%x-%x" % (st.st_ino, st.st_mtime_ns, st.st_size)  # noqa: UP031 - half the f-string's cost


@contextmanager
def locked_file(folder: int, name: str, wait: float | None) -> Iterator[os.stat_result | None]:
    """Hold the exclusive lock of the regular file now named ``name`` (relative to the
    ``folder`` fd) and yield its ``stat``; ``None`` when no regular file is there.

    ``wait=None`` waits for the lock as long as it takes (raising ``BackendUnavailable``
    after 30 s); otherwise after ``wait`` seconds it yields ``None`` (go ahead unlocked).
    A file replaced while this waited is dropped for the one that replaced it.
    """
    deadline = time.monotonic() + (30.0 if wait is None else wait)
    while True:
        try:
            fd = os.open(name, _OPEN_FLAGS, dir_fd=folder)
        except OSError as exc:  # missing, a symlink (ELOOP), unreadable...
            if wait is not None or exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
                yield None
                return
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                yield None
                return
            if not _lock(fd, deadline):
                if wait is None:
                    raise BackendUnavailable("file stays locked by another process")
                yield None
                return
            try:
                now = os.stat(name, dir_fd=folder, follow_symlinks=False)
            except FileNotFoundError:
                now = None
            if now is not None and now.st_ino == st.st_ino and now.st_dev == st.st_dev:
                yield os.fstat(fd)  # after the lock: a change in place is seen
                return
        finally:
            os.close(fd)  # releases the lock
        # replaced or removed while this waited: lock whatever is there now


def _lock(fd: int, deadline: float) -> bool:
    """Take the exclusive lock of ``fd`` before ``deadline``; whether it was taken."""
    import fcntl  # POSIX only, as the backend: imported where it is used

    pause = 0.0001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.005)
