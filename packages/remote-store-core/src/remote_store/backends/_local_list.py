"""The local backend's listings: ``fdopendir`` on folder descriptors, symlinks checked.

A folder is opened beneath the root (``_fdroot``) and listed through its descriptor; a
sub-folder is opened relative to its parent with ``O_NOFOLLOW``; a symlink is followed only
when it resolves inside the root (it is left out otherwise); hidden temporary files never
show; a symlinked folder that contains itself is listed once.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from remote_store._models import FileInfo, FolderEntry, stamped_file_info
from remote_store._path import RemotePath
from remote_store.backends._fdroot import READ_DIR_FLAGS, open_node, stat_node
from remote_store.backends._local_lock import etag_of
from remote_store.backends._local_root import LocalRoot
from remote_store.backends._local_write import TEMP_PREFIX
from remote_store.errors import InvalidPath

__all__ = ["LocalListing", "file_info"]

_MISSING = (FileNotFoundError, NotADirectoryError)
#: Rows of a folder listing: (child key, its entry, is a folder, stat when already known).
_Row = tuple[str, os.DirEntry[str], bool, os.stat_result | None]


def file_info(key: str, st: os.stat_result) -> FileInfo:
    """The :class:`FileInfo` of a file from its key and ``stat``."""
    return stamped_file_info(
        RemotePath._trusted(key),
        key.rpartition("/")[2],
        st.st_size,
        st.st_mtime_ns,
        etag_of(st),
    )


class LocalListing(LocalRoot):
    """Listing methods of ``LocalBackend``."""

    def _open_folder(self, key: str) -> int | None:
        """A listable fd of folder ``key`` (inside the root), ``None`` when it is none."""
        root_fd = self._root_handle()  # a replaced root is its own NotFound, kept as raised
        try:
            return open_node(root_fd, self._root, key, READ_DIR_FLAGS)
        except _MISSING:
            return None

    def _rows(self, fd: int, key: str) -> list[_Row]:
        """Sorted rows of a folder's visible children; escaping symlinks are left out."""
        prefix = key + "/" if key else ""
        rows: list[_Row] = []
        with os.scandir(fd) as entries:
            for entry in entries:
                if entry.name.startswith(TEMP_PREFIX):
                    continue
                child = prefix + entry.name
                st = None
                if entry.is_symlink():
                    try:
                        st = stat_node(self._root_handle(), self._root, child)
                    except InvalidPath:
                        continue  # leads outside the root (or loops)
                    if st is None:
                        continue
                    is_folder = stat.S_ISDIR(st.st_mode)
                else:
                    is_folder = entry.is_dir(follow_symlinks=False)
                rows.append((child, entry, is_folder, st))
        rows.sort(key=lambda row: row[0] + "/" if row[2] else row[0])
        return rows

    def _open_child(self, fd: int, entry: os.DirEntry[str], key: str) -> int | None:
        if entry.is_symlink():
            return self._open_folder(key)  # resolved again from the root
        try:
            return os.open(entry.name, READ_DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
        except OSError:
            return None  # removed or swapped since it was listed

    def _listing(
        self, key: str, limit: int, files: bool, folders: bool
    ) -> Iterator[FileInfo | FolderEntry]:
        fd = self._open_folder(key)
        if fd is not None:
            yield from self._list_fd(fd, key, limit, files, folders, frozenset())

    def _list_fd(
        self,
        fd: int,
        key: str,
        limit: int,
        files: bool,
        folders: bool,
        above: frozenset[tuple[int, int]],
    ) -> Iterator[FileInfo | FolderEntry]:
        try:
            if limit != 0:  # a symlinked folder that contains itself is listed once
                st = os.fstat(fd)
                if (st.st_dev, st.st_ino) in above:
                    return
                above = above | {(st.st_dev, st.st_ino)}
            for child, entry, is_folder, info in self._rows(fd, key):
                if is_folder:
                    if folders:
                        yield FolderEntry(RemotePath._trusted(child), entry.name)
                    if limit != 0:
                        sub = self._open_child(fd, entry, child)
                        if sub is not None:
                            yield from self._list_fd(sub, child, limit - 1, files, folders, above)
                    continue
                if not files:
                    continue
                if info is None:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # removed while listing
                if stat.S_ISREG(info.st_mode):
                    yield file_info(child, info)
        finally:
            os.close(fd)

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        limit = max_depth if max_depth is not None else (-1 if recursive else 0)
        return self._listing(path, limit, True, False)  # type: ignore[return-value]

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        return self._listing(path, 0, False, True)  # type: ignore[return-value]

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        return self._listing(path, 0, True, True)
