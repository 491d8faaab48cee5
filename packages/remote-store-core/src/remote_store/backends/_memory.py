"""MemoryBackend: files in a dict, folders kept explicitly (empty folders persist)."""

from __future__ import annotations

import io
import itertools
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from time import time_ns
from typing import Any, BinaryIO

from remote_store._backend import Backend, join_key, parent_key
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._models import (
    FileInfo,
    FolderEntry,
    FolderSemantics,
    WriteResult,
    _WriteResultSlots,
    native_write_result,
    stamped_file_info,
)
from remote_store._path import RemotePath
from remote_store._streams import WritableContent, iter_content
from remote_store.errors import (
    AlreadyExists,
    DirectoryNotEmpty,
    InvalidArgument,
    InvalidPath,
    NotFound,
    PreconditionFailed,
)

__all__ = ["MemoryBackend"]

_new = object.__new__


#: A stored file: ``(data, stamp, metadata, tag)``, a plain tuple because every write
#: builds one and a tuple display is the cheapest record to build. ``stamp`` is the
#: write's ``time.time_ns()`` (a ``datetime`` is built only when someone asks for it);
#: ``tag`` is new for every version written: the file's etag. (Older pickles hold a
#: ``datetime`` as the stamp.)
_Entry = tuple[bytes, int | datetime, Mapping[str, str] | None, int]


class _File(tuple[bytes, Any, Mapping[str, str] | None, int]):
    """The record of a file in pickles of older versions (``modified_at`` a ``datetime``);
    kept so they still load. New entries are plain tuples (:data:`_Entry`)."""

    __slots__ = ()
    data = property(itemgetter(0))
    modified_at = property(itemgetter(1))
    metadata = property(itemgetter(2))
    tag = property(itemgetter(3))


class MemoryBackend(Backend):
    """Process-local storage for tests and scratch data; thread-safe."""

    CAPABILITIES = CapabilitySet(set(Capability) - {Capability.GLOB, Capability.LAZY_READ})
    FOLDER_SEMANTICS = FolderSemantics.HIERARCHICAL
    IN_PROCESS_STORAGE = True

    def __init__(self) -> None:
        self._files: dict[str, _Entry] = {}
        # folder key -> names of its children (files and folders); "" is the root
        self._folders: dict[str, set[str]] = {"": set()}
        self._lock = threading.Lock()  # never taken twice by one thread
        self._tags = itertools.count(1)

    def __getstate__(self) -> dict[str, object]:
        # A pickle (and copy.copy/deepcopy) is a snapshot taken under the lock: the copy
        # gets its own lock and its own tables, and never shares later changes.
        with self._lock:
            folders = {key: set(names) for key, names in self._folders.items()}
            return {"files": dict(self._files), "folders": folders}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._files = dict(state["files"])
        self._folders = {key: set(names) for key, names in state["folders"].items()}
        self._lock = threading.Lock()
        self._tags = itertools.count(max((f[3] for f in self._files.values()), default=0) + 1)

    @property
    def name(self) -> str:
        return "memory"

    # -- pickling ---------------------------------------------------------------------

    def __dask_tokenize__(self) -> object:
        """A token unique to this instance (its content changes under the same name)."""
        if "_token" not in self.__dict__:
            self.__dict__["_token"] = uuid.uuid4().hex
        return ("remote_store.MemoryBackend", self.__dict__["_token"])

    # -- queries ----------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        return path in self._files or path in self._folders

    def is_file(self, path: str) -> bool:
        return path in self._files

    def is_folder(self, path: str) -> bool:
        return path in self._folders

    def _get(self, path: str) -> _Entry:
        try:
            return self._files[path]
        except KeyError:
            if path in self._folders:
                raise InvalidPath("is a folder", path=path, backend="memory") from None
            raise NotFound("file not found", path=path, backend="memory") from None

    def read(self, path: str) -> BinaryIO:
        return io.BytesIO(self._get(path)[0])

    def read_bytes(self, path: str) -> bytes:
        try:
            return self._files[path][0]
        except KeyError:
            return self._get(path)[0]

    def get_file_info(self, path: str) -> FileInfo:
        entry = self._get(path)
        return self._info(path, entry)

    @staticmethod
    def _info(path: str, entry: _Entry) -> FileInfo:
        data, stamp, metadata, tag = entry
        if isinstance(stamp, datetime):  # an older pickle's record
            return FileInfo(
                RemotePath._trusted(path),
                path.rpartition("/")[2],
                len(data),
                stamp,
                None,
                str(tag),
                None,
                dict(metadata) if metadata else {},
            )
        return stamped_file_info(
            RemotePath._trusted(path),
            path.rpartition("/")[2],
            len(data),
            stamp,
            str(tag),
            dict(metadata) if metadata else {},
        )

    # -- writes -----------------------------------------------------------------------

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        data = content if type(content) is bytes else _gather(content)
        now = time_ns()
        kept = dict(metadata) if metadata else None
        tag = next(self._tags)
        entry = (data, now, kept, tag)
        files = self._files
        lock = self._lock
        lock.acquire()  # acquire/release: a third of what ``with`` costs on a lock (3.11)
        try:
            if path in files:  # a file is never a folder; its parents exist
                if not overwrite:
                    raise AlreadyExists("file exists", path=path, backend="memory")
            elif path in self._folders:
                raise InvalidPath("is a folder", path=path, backend="memory")
            else:
                parent, _, name = path.rpartition("/")
                siblings = self._folders.get(parent)
                if siblings is None:
                    self._ensure_parents(path)
                else:
                    siblings.add(name)
            files[path] = entry
        finally:
            lock.release()
        # native_write_result(path, len(data), now, kept and dict(kept), tag), inline: the
        # call is ~40 ns of a ~650 ns write, the hottest path of the in-memory store
        result = _new(_WriteResultSlots)
        result.path = path
        result.size = len(data)
        result.source = "native"
        result.digest = None
        result.etag = tag  # type: ignore[assignment]  # an int: WriteResult.etag reads it lazily
        result.version_id = None
        result.last_modified = now  # type: ignore[assignment]  # likewise
        result.metadata = kept and dict(kept)
        result.__class__ = WriteResult
        return result  # type: ignore[return-value]

    write_atomic = write

    def write_conditional(
        self,
        path: str,
        content: WritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        if if_none_match not in (None, "*"):
            raise InvalidArgument("if_none_match accepts only '*'", path=path, backend="memory")
        data = b"".join(iter_content(content))
        now = time_ns()
        kept = dict(metadata) if metadata else None
        tag = next(self._tags)
        with self._lock:  # the check and the write are one step for every other writer
            current = self._files.get(path)
            if if_match is not None and (current is None or str(current[3]) != if_match):
                raise PreconditionFailed("etag does not match", path=path, backend="memory")
            if if_none_match == "*" and current is not None:
                raise PreconditionFailed("file exists", path=path, backend="memory")
            if current is None:
                if path in self._folders:
                    raise InvalidPath("is a folder", path=path, backend="memory")
                self._ensure_parents(path)
            self._files[path] = (data, now, kept, tag)
        return native_write_result(path, len(data), now, kept, tag)

    def _ensure_parents(self, path: str) -> None:
        """Create the folders above ``path``; refuse a file standing where a folder must be."""
        parent, _, name = path.rpartition("/")
        folder = self._folders.get(parent)
        if folder is not None:
            folder.add(name)
            return
        if parent in self._files:
            raise InvalidPath("an ancestor is a file", path=path, backend="memory")
        self._ensure_parents(parent)
        self._folders[parent] = {name}

    # -- deletes ----------------------------------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        with self._lock:
            refused = self._remove_file(path, missing_ok)
        if refused is not None:
            raise refused

    def delete_many(
        self, paths: Sequence[str], *, missing_ok: bool = False
    ) -> Mapping[str, BaseException | None]:
        with self._lock:
            return {path: self._remove_file(path, missing_ok) for path in paths}

    def _remove_file(self, path: str, missing_ok: bool) -> BaseException | None:
        """Remove a file (the caller holds the lock); the error it refuses with, if any."""
        if path in self._folders:
            return InvalidPath("is a folder", path=path, backend="memory")
        if self._files.pop(path, None) is None:
            return None if missing_ok else NotFound("file not found", path=path, backend="memory")
        self._folders[parent_key(path)].discard(path.rpartition("/")[2])
        return None

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        with self._lock:
            if path in self._files:
                raise InvalidPath("is a file", path=path, backend="memory")
            children = self._folders.get(path)
            if children is None:
                if missing_ok:
                    return
                raise NotFound("folder not found", path=path, backend="memory")
            if children and not recursive:
                raise DirectoryNotEmpty("folder is not empty", path=path, backend="memory")
            self._remove_tree(path)
            self._folders[parent_key(path)].discard(path.rpartition("/")[2])

    def _remove_tree(self, folder: str) -> None:
        for name in self._folders.pop(folder):
            child = join_key(folder, name)
            if child in self._folders:
                self._remove_tree(child)
            else:
                self._files.pop(child, None)

    # -- listings ---------------------------------------------------------------------

    def _children(self, folder: str) -> list[tuple[str, bool]]:
        """Sorted (key, is_folder) pairs of a folder, a snapshot taken under the lock."""
        with self._lock:
            names = self._folders.get(folder)
            if names is None:
                return []
            pairs = [(join_key(folder, n), join_key(folder, n) in self._folders) for n in names]
        pairs.sort(key=lambda pair: pair[0] + "/" if pair[1] else pair[0])
        return pairs

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        limit = max_depth if max_depth is not None else (-1 if recursive else 0)
        yield from self._walk(path, limit)

    def _walk(self, folder: str, limit: int) -> Iterator[FileInfo]:
        for key, is_folder in self._children(folder):
            if is_folder:
                if limit != 0:
                    yield from self._walk(key, limit - 1)
                continue
            entry = self._files.get(key)
            if entry is not None:
                yield self._info(key, entry)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        for key, is_folder in self._children(path):
            if is_folder:
                yield FolderEntry(RemotePath._trusted(key), key.rpartition("/")[2])

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        for key, is_folder in self._children(path):
            if is_folder:
                yield FolderEntry(RemotePath._trusted(key), key.rpartition("/")[2])
                continue
            entry = self._files.get(key)
            if entry is not None:
                yield self._info(key, entry)

    # -- move and copy ----------------------------------------------------------------

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._relink(src, dst, overwrite, keep_source=False)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._relink(src, dst, overwrite, keep_source=True)

    def _relink(self, src: str, dst: str, overwrite: bool, *, keep_source: bool) -> None:
        with self._lock:
            entry = self._get(src)
            if dst in self._folders:
                raise InvalidPath("destination is a folder", path=dst, backend="memory")
            if not overwrite and dst in self._files:
                raise AlreadyExists("destination exists", path=dst, backend="memory")
            self._ensure_parents(dst)
            if keep_source:
                entry = (entry[0], time_ns(), entry[2], next(self._tags))
            else:
                del self._files[src]
                self._folders[parent_key(src)].discard(src.rpartition("/")[2])
            self._files[dst] = entry

    def __repr__(self) -> str:
        return "MemoryBackend()"


def _gather(content: WritableContent) -> bytes:
    """The content as one bytes object, holding it once (``getvalue`` hands the buffer
    over instead of copying it, so a large stream costs its size, not twice that)."""
    buffer = io.BytesIO()
    for chunk in iter_content(content):
        buffer.write(chunk)
    return buffer.getvalue()
