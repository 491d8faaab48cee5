"""LocalBackend: a folder on the local file system, race-free under symlink swaps.

Every operation resolves the folder of its key once, strictly beneath the root, as a
descriptor (``_fdroot``: ``openat2(RESOLVE_BENEATH)`` or an ``O_NOFOLLOW`` walk), then acts
only relative to it; a symlink is followed only when it stays inside the root. Writes go
to a hidden temporary file in the target folder and are published with ``link`` (create
only, race-free) or ``rename`` (``_local_write``); ``write_atomic`` and ``open_atomic`` also
fsync the file and the folder, so a crash leaves the old file or the whole new one. A
conditional write renames under an advisory lock of the file it replaces (``_local_lock``).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Mapping
from typing import BinaryIO

from remote_store._backend import Backend
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._conditional import condition_failures
from remote_store._glob import glob_by_listing
from remote_store._models import FileInfo, FolderSemantics, ResolutionPlan, WriteResult
from remote_store._streams import WritableContent, copy_stream
from remote_store.backends._fdroot import open_node, release, remove_tree, resolve_parent, stat_node
from remote_store.backends._local_list import LocalListing, file_info
from remote_store.backends._local_lock import PLAIN_WAIT, etag_of, locked_file
from remote_store.backends._local_write import TEMP_PREFIX, TempFile, publish, sweep_temp_files
from remote_store.errors import (
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PreconditionFailed,
    RemoteStoreError,
)

__all__ = ["TEMP_PREFIX", "LocalBackend"]

# O_NONBLOCK: opening a FIFO planted in the root must not hang (regular files ignore it)
_READ_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
_MISSING = (FileNotFoundError, NotADirectoryError)


class LocalBackend(LocalListing, Backend):
    """Files under ``root`` on the local disk (created if missing)."""

    CAPABILITIES = CapabilitySet(
        set(Capability) - {Capability.USER_METADATA, Capability.BULK_DELETE}
    )
    FOLDER_SEMANTICS = FolderSemantics.HIERARCHICAL

    @property
    def name(self) -> str:
        return "local"

    @property
    def location(self) -> str:
        """``local folder '<absolute root>'``."""
        return f"local folder {self._root!r}"

    def __repr__(self) -> str:
        return f"LocalBackend(root={self._root!r})"

    def sweep_temp_files(self, older_than: float = 86400.0) -> int:
        """Remove temporary files left by killed writers; returns how many were removed.

        Only this backend's own names (``.~rs-<12 hex>.tmp``), only regular files, only
        those last modified more than ``older_than`` seconds ago (default one day: keep it
        above your slowest write, whose temporary file would otherwise vanish mid-write).
        """
        return sweep_temp_files(self._root_handle(), older_than)

    # -- queries ----------------------------------------------------------------------

    def _stat(self, key: str) -> os.stat_result | None:
        """``stat`` of a key inside the root, or ``None`` when missing or not traversable."""
        return stat_node(self._root_handle(), self._root, key)

    def exists(self, path: str) -> bool:
        return self._stat(path) is not None

    def is_file(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISREG(st.st_mode)

    def is_folder(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def get_file_info(self, path: str) -> FileInfo:
        st = stat_node(self._root_handle(), self._root, path)  # self._stat, one call less
        if st is None:
            raise NotFound("file not found", path=path, backend="local")
        if not stat.S_ISREG(st.st_mode):
            raise InvalidPath("not a file", path=path, backend="local")
        return file_info(path, st)

    # -- reads ------------------------------------------------------------------------

    def _open_read(self, key: str) -> tuple[int, int]:
        """An fd open for reading a file inside the root, and the file's size."""
        root_fd = self._root_handle()  # a replaced root is its own NotFound, kept as raised
        try:
            fd = open_node(root_fd, self._root, key, _READ_FLAGS)
        except _MISSING:
            raise NotFound("file not found", path=key, backend="local") from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            what = "is a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise InvalidPath(what, path=key, backend="local")
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
        with TempFile(self, path, durable=False, overwrite=None) as temp:
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
        with TempFile(self, path, durable=True, overwrite=None) as temp:
            copy_stream(content, temp.stream)
            result: WriteResult = temp.publish(overwrite)
        return result

    def write_conditional(
        self,
        path: str,
        content: WritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """``if_none_match="*"``: the create-only ``link`` of :meth:`write`. ``if_match``:
        the rename happens under an advisory lock of the file it replaces, after checking
        that this file is still there with that etag (docs/backends/local.md)."""
        with condition_failures(self, path):
            if if_none_match is not None:
                return self.write(path, content, overwrite=False)
            st = self._stat(path)  # stale or missing: refused before anything is written
            if st is None or not stat.S_ISREG(st.st_mode) or etag_of(st) != if_match:
                raise PreconditionFailed("etag does not match", path=path, backend="local")
            with TempFile(self, path, durable=False, overwrite=None) as temp:
                copy_stream(content, temp.stream)
                result: WriteResult = temp.publish_if_match(str(if_match))
            return result

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> TempFile:
        return TempFile(self, path, durable=True, overwrite=overwrite)

    def _write_target(self, key: str) -> tuple[int, str]:
        """``(folder fd, name)`` to publish ``key`` at, its missing folders created.

        Refuses a folder that leaves the root, an ancestor that is a file, and a target that
        is a symlink leading outside (a symlink inside is replaced, never written through).
        The caller releases the folder fd.
        """
        root_fd = self._root_handle()
        try:
            folder, name = resolve_parent(root_fd, self._root, key, create=True)
        except _MISSING:
            raise InvalidPath("an ancestor is a file", path=key, backend="local") from None
        try:
            if stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
                stat_node(root_fd, self._root, key)  # InvalidPath when the link leaves the root
        except FileNotFoundError:
            pass
        except BaseException:
            release(folder, root_fd)
            raise
        return folder, name

    # -- deletes ----------------------------------------------------------------------

    def _node(self, key: str, what: str) -> tuple[int, str, int, bool] | None:
        """``(folder fd, name, mode, is a symlink)`` of an existing node; ``None`` when missing.

        ``mode`` is the symlink target's when the node is a symlink (refused when it leaves
        the root); the name itself is what the caller then removes or renames.
        """
        if not key:
            raise InvalidPath(f"the store root is not a {what}", path=key, backend="local")
        root_fd = self._root_handle()
        try:
            folder, name = resolve_parent(root_fd, self._root, key)
        except _MISSING:
            return None
        try:
            mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
            is_link = stat.S_ISLNK(mode)
            if is_link:
                target = stat_node(root_fd, self._root, key)
                if target is None:
                    release(folder, root_fd)
                    return None
                mode = target.st_mode
        except FileNotFoundError:
            release(folder, root_fd)
            return None
        except BaseException:
            release(folder, root_fd)
            raise
        return folder, name, mode, is_link

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        node = self._node(path, "file")
        removed = False
        if node is not None:
            folder, name, mode, _ = node
            try:
                if stat.S_ISDIR(mode):
                    raise InvalidPath("is a folder", path=path, backend="local")
                with locked_file(folder, name, PLAIN_WAIT):  # no conditional write interleaves
                    os.unlink(name, dir_fd=folder)
                removed = True
            except FileNotFoundError:
                pass
            except IsADirectoryError:
                raise InvalidPath("is a folder", path=path, backend="local") from None
            finally:
                release(folder, self._root_fd)
        if not removed and not missing_ok:
            raise NotFound("file not found", path=path, backend="local")

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        node = self._node(path, "folder to delete")
        if node is None:
            if missing_ok:
                return
            raise NotFound("folder not found", path=path, backend="local")
        folder, name, mode, is_link = node
        try:
            if not stat.S_ISDIR(mode):
                raise InvalidPath("is a file", path=path, backend="local")
            if is_link:
                raise InvalidPath("is a symlink to a folder", path=path, backend="local")
            if recursive:
                remove_tree(folder, name)
                return
            try:
                os.rmdir(name, dir_fd=folder)
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                    raise DirectoryNotEmpty(
                        "folder is not empty", path=path, backend="local"
                    ) from None
                raise
        finally:
            release(folder, self._root_fd)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return glob_by_listing(self, pattern)

    # -- move and copy ----------------------------------------------------------------

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        node = self._node(src, "file")
        if node is None:
            raise NotFound("source not found", path=src, backend="local")
        folder, name, mode, is_link = node
        try:
            if not stat.S_ISREG(mode):
                raise InvalidPath("source is not a file", path=src, backend="local")
            if is_link:
                # renaming the link could change what a relative link points at: move the
                # content it shows, then drop the link (its target file stays)
                self.copy(src, dst, overwrite=overwrite)
                os.unlink(name, dir_fd=folder)
                return
            target_folder, target = self._write_target(dst)
            try:
                publish(folder, name, target_folder, target, dst, overwrite)
            except FileNotFoundError:
                raise NotFound("source not found", path=src, backend="local") from None
            finally:
                release(target_folder, self._root_fd)
        finally:
            release(folder, self._root_fd)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        try:
            fd, _ = self._open_read(src)
        except NotFound:
            raise NotFound("source not found", path=src, backend="local") from None
        except InvalidPath as exc:
            if "escapes" in exc.message:
                raise
            raise InvalidPath("source is not a file", path=src, backend="local") from None
        with (
            os.fdopen(fd, "rb") as source,
            TempFile(self, dst, durable=False, overwrite=None) as temp,
        ):
            copy_stream(source, temp.stream)
            temp.stream.flush()  # before the times are set, or the flush would reset them
            st = os.fstat(fd)
            os.chmod(temp.stream.fileno(), stat.S_IMODE(st.st_mode))
            os.utime(temp.stream.fileno(), ns=(st.st_atime_ns, st.st_mtime_ns))
            temp.publish(overwrite)

    # -- naming and health ------------------------------------------------------------

    def native_path(self, path: str) -> str:
        return self._root_slash + path if path else self._root

    def to_key(self, native_path: str) -> str:
        text = native_path.replace("\\", "/")
        if text == self._root:
            return ""
        if text.startswith(self._root_slash):
            return text[len(self._root_slash) :]
        return native_path

    def resolve(self, path: str) -> ResolutionPlan:
        native = self.native_path(path)
        return ResolutionPlan(
            "local", "local", path, native, {"root": self._root, "absolute_path": native}
        )

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        if isinstance(exc, NotADirectoryError):
            return NotFound("an ancestor is a file", path=path, backend="local")
        return super().map_error(exc, path)
