"""The local backend's handle on its root folder: opened lazily, checked, never pickled.

A pickle (or copy) of a local backend carries the root's path and identity (device and
inode numbers recorded at construction), never a descriptor number: the copy, in this
process or another, opens its own descriptor at first use and refuses a root that was
removed or replaced since.
"""

from __future__ import annotations

import errno
import os
import threading
from typing import Any

from remote_store.errors import BackendUnavailable, InvalidPath, NotFound

__all__ = ["LocalRoot"]

_O_PATH = getattr(os, "O_PATH", 0)
_ROOT_FLAGS = (_O_PATH or os.O_RDONLY) | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_SUPPORTED = os.open in os.supports_dir_fd and os.scandir in os.supports_fd


class LocalRoot:
    """The root folder of a local backend and its descriptor (a base of ``LocalBackend``)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        if not isinstance(root, (str, os.PathLike)) or not os.fspath(root):
            raise InvalidPath("local backend needs a non-empty root folder", backend="local")
        if not _SUPPORTED:
            raise BackendUnavailable(
                "the local backend needs a POSIX system with descriptor-relative calls",
                backend="local",
            )
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
        try:
            self.close()
        except Exception:  # at interpreter exit module globals may already be gone
            pass

    @property
    def root(self) -> str:
        """The resolved absolute root folder."""
        return self._root

    def check_health(self) -> None:
        """Refuse a root that is missing, replaced or not readable and writable."""
        try:
            st = os.stat(self._root)
        except OSError:
            raise NotFound("root folder is missing", path=self._root, backend="local") from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise NotFound(
                "root folder was replaced since the store was created",
                path=self._root,
                backend="local",
            )
        self._root_handle()
        if not os.access(self._root, os.R_OK | os.W_OK | os.X_OK):
            raise BackendUnavailable("root folder is not accessible", backend="local")
