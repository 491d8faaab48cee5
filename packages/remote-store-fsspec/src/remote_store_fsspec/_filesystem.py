"""StoreFileSystem: an fsspec filesystem over any remote-store Store."""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import time
from datetime import datetime
from typing import Any

from fsspec.spec import AbstractFileSystem
from fsspec.utils import stringify_path
from remote_store import AsyncBackendSyncAdapter, FileInfo, Store
from remote_store.aio import AsyncStore
from remote_store.errors import InvalidArgument, InvalidPath, NotFound

from remote_store_fsspec._errors import builtin_errors
from remote_store_fsspec._files import AtomicWriter, RangedReader
from remote_store_fsspec._profiles import profile_store

__all__ = ["PROTOCOL", "StoreFileSystem"]

#: The fsspec protocol: ``remote-store://PROFILE/path/in/store``.
PROTOCOL = "remote-store"
_PREFIX = PROTOCOL + "://"
_DEFAULT_BLOCK = 5 * 2**20
_SEEN_MEMORY = 100_000


class StoreFileSystem(AbstractFileSystem):  # type: ignore[misc]
    """An fsspec filesystem over a :class:`~remote_store.Store`.

    ``StoreFileSystem(store)`` serves one store; paths are relative to its root.
    ``StoreFileSystem(profile="name", config="stores.toml")`` serves a profile of a config
    file (``config`` defaults to ``$REMOTE_STORE_CONFIG``): this is what
    ``remote-store://name/path`` URLs build. An ``AsyncStore`` is served through the sync
    bridge. Reads are ranged (``read_seekable`` buffered by ``block_size``), writes go
    through ``open_atomic``, and remote-store's errors surface as the builtins fsspec
    callers expect (``FileNotFoundError``, ``FileExistsError``, ...).
    """

    protocol = (PROTOCOL,)
    root_marker = ""
    # fsspec's instance cache keys on str(args), which cannot tell two stores apart
    cachable = False

    def __init__(
        self,
        store: Store | AsyncStore | None = None,
        *,
        profile: str | None = None,
        config: str | os.PathLike[str] | None = None,
        block_size: int | None = None,
        listings_expiry: float = 10.0,
        **storage_options: Any,
    ) -> None:
        super().__init__(**storage_options)
        if store is None:
            if not profile:
                raise InvalidArgument(
                    "StoreFileSystem needs a store, or a profile (remote-store://PROFILE/...)"
                )
            store = profile_store(config, profile)
        elif isinstance(store, AsyncStore):
            store = Store(AsyncBackendSyncAdapter(store.backend), store.root_path, _owns=False)
        elif not isinstance(store, Store):
            raise InvalidArgument(f"StoreFileSystem needs a Store, got {type(store).__name__}")
        self.store: Store = store
        self.profile = profile
        self.blocksize = block_size or _DEFAULT_BLOCK
        # file entries seen in listings, kept ``listings_expiry`` seconds for ``info`` (and
        # to read a small file in one GET); writes and deletes through this object drop them
        self._seen: dict[str, tuple[float, dict[str, Any]]] = {}
        self.listings_expiry = listings_expiry

    # -- identity -----------------------------------------------------------------

    @property
    def _fs_token(self) -> str:
        # from the store's options (secrets by reference), never its secret values
        token = repr(("remote-store", self.store.__dask_tokenize__()))
        return hashlib.sha256(token.encode()).hexdigest()[:32]

    @property
    def fsid(self) -> str:
        """An identifier of the store this filesystem serves."""
        return f"{PROTOCOL}-{self._fs_token}"

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        text = stringify_path(path)
        if text.startswith(_PREFIX):
            text = text[len(_PREFIX) :].partition("/")[2]  # the profile is not a path
        return text.strip("/")

    @staticmethod
    def _get_kwargs_from_urls(path: str) -> dict[str, Any]:
        if path.startswith(_PREFIX):
            profile = path[len(_PREFIX) :].partition("/")[0]
            if profile:
                return {"profile": profile}
        return {}

    def unstrip_protocol(self, name: str) -> str:
        """``remote-store://PROFILE/name`` (``store`` when no profile is known)."""
        return f"{_PREFIX}{self.profile or 'store'}/{self._strip_protocol(name)}"

    # -- metadata -------------------------------------------------------------------

    def _file_entry(self, info: FileInfo) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": str(info.path),
            "size": info.size,
            "type": "file",
            "modified": info.modified_at,
            "etag": info.etag,
        }
        if self.listings_expiry > 0 and len(self._seen) < _SEEN_MEMORY:
            self._seen[entry["name"]] = (time.monotonic(), entry)
        return entry

    def _recent(self, key: str) -> dict[str, Any] | None:
        found = self._seen.get(key)
        if found is None or time.monotonic() - found[0] > self.listings_expiry:
            return None
        return dict(found[1])

    def invalidate_cache(self, path: str | None = None) -> None:
        """Forget listed entries (all, or those at and under ``path``)."""
        if path is None:
            self._seen.clear()
            return
        key = self._strip_protocol(path)
        for name in [n for n in self._seen if n == key or n.startswith(key + "/")]:
            self._seen.pop(name, None)

    @staticmethod
    def _dir_entry(key: str) -> dict[str, Any]:
        return {"name": key, "size": 0, "type": "directory"}

    def _holds_files(self, key: str) -> bool:
        """Whether a file lies under folder ``key``: the bridge's folders exist while they
        hold files, on every backend alike (an empty local or memory folder is hidden)."""
        return next(iter(self.store.list_files(key, recursive=True)), None) is not None

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        key = self._strip_protocol(path)
        if key == "":
            return self._dir_entry("")
        recent = self._recent(key)
        if recent is not None:
            return recent
        with builtin_errors(key):
            try:
                return self._file_entry(self.store.get_file_info(key))
            except (NotFound, InvalidPath):
                pass
            if self._holds_files(key):
                return self._dir_entry(key)
        raise FileNotFoundError(2, "no such file or folder", key)

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        key = self._strip_protocol(path)
        with builtin_errors(key):
            try:
                children = list(self.store.iter_children(key))
            except (NotFound, InvalidPath):
                children = []
            entries = []
            for child in children:
                if isinstance(child, FileInfo):
                    entries.append(self._file_entry(child))
                else:
                    folder = str(child.path).rstrip("/")
                    if self._holds_files(folder):
                        entries.append(self._dir_entry(folder))
            if not entries and key:
                entries = [self.info(key)]  # a file lists as itself; missing raises
                if entries[0]["type"] == "directory":
                    entries = []
        return entries if detail else [entry["name"] for entry in entries]

    def find(
        self,
        path: str,
        maxdepth: int | None = None,
        withdirs: bool = False,
        detail: bool = False,
        **kwargs: Any,
    ) -> Any:
        """One recursive listing (not a walk): files, and with ``withdirs`` the folders
        that hold them (an empty folder shows in ``ls``, not here)."""
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        key = self._strip_protocol(path)
        found: dict[str, dict[str, Any]] = {}
        with builtin_errors(key):
            if key and self.store.is_file(key):
                found[key] = self.info(key)
            else:
                # folders come from the files they hold: with ``withdirs`` the listing
                # goes deeper than ``maxdepth`` and the result is cut to it afterwards
                depth = None if maxdepth is None or withdirs else maxdepth - 1
                files = self.store.list_files(key, recursive=True, max_depth=depth)
                for info in files:
                    entry = self._file_entry(info)
                    found[entry["name"]] = entry
                if withdirs:
                    for name in list(found):
                        parent = posixpath.dirname(name)
                        while parent and parent != key:
                            found.setdefault(parent, self._dir_entry(parent))
                            parent = posixpath.dirname(parent)
                    if maxdepth is not None:
                        found = {
                            name: entry
                            for name, entry in found.items()
                            if _depth(name, key) <= maxdepth
                        }
                    if key and found:
                        found[key] = self._dir_entry(key)
        names = sorted(found)
        return {name: found[name] for name in names} if detail else names

    def modified(self, path: str) -> datetime:
        info = self.info(path)
        if info["type"] != "file" or info.get("modified") is None:
            raise IsADirectoryError(21, "no modification time", path)
        modified: datetime = info["modified"]
        return modified

    def exists(self, path: str, **kwargs: Any) -> bool:
        try:
            self.info(path)
        except (FileNotFoundError, ValueError):
            return False
        return True

    # -- reads --------------------------------------------------------------------

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        key = self._strip_protocol(path)
        if not autocommit:
            raise NotImplementedError("remote-store:// has no fsspec transactions")
        if mode == "rb":
            size = block_size or self.blocksize
            recent = self._recent(key)
            if recent is not None and recent["size"] <= size:
                with builtin_errors(key):  # small file: one whole read, no HEAD
                    return io.BytesIO(self.store.read_bytes(key))
            with builtin_errors(key):
                stream = self.store.read_seekable(key)
            return io.BufferedReader(RangedReader(stream, key), buffer_size=size)
        if mode in ("wb", "xb"):
            self.invalidate_cache(key)
            with builtin_errors(key):
                context = self.store.open_atomic(key, overwrite=mode == "wb")
            return AtomicWriter(context, key)
        raise NotImplementedError(f"mode {mode!r} is not supported (rb, wb, xb)")

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        key = self._strip_protocol(path)
        with builtin_errors(key):
            if start is None and end is None:
                return self.store.read_bytes(key)
            with self.store.read_seekable(key) as stream:
                size = stream.seek(0, io.SEEK_END)
                first = _clamp(start or 0, size)
                last = size if end is None else _clamp(end, size)
                if last <= first:
                    return b""
                stream.seek(first)
                return stream.read(last - first)

    # -- writes -------------------------------------------------------------------

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        key = self._strip_protocol(path)
        self.invalidate_cache(key)
        with builtin_errors(key):
            self.store.write_atomic(key, value, overwrite=mode != "create")

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        source, target = self._strip_protocol(path1), self._strip_protocol(path2)
        self.invalidate_cache(target)
        with builtin_errors(source):
            if self.store.is_folder(source) and not self.store.is_file(source):
                return  # folders follow their files
            self.store.copy(source, target, overwrite=True)

    def mv(self, path1: Any, path2: Any, recursive: bool = False, **kwargs: Any) -> None:
        self.invalidate_cache()
        if isinstance(path1, str) and isinstance(path2, str):
            source, target = self._strip_protocol(path1), self._strip_protocol(path2)
            if source and self.store.is_file(source):
                if self.isdir(target):
                    target = posixpath.join(target, posixpath.basename(source))
                with builtin_errors(source):
                    self.store.move(source, target, overwrite=True)
                return
        super().mv(path1, path2, recursive=recursive, **kwargs)

    def rm_file(self, path: str) -> None:
        key = self._strip_protocol(path)
        self.invalidate_cache(key)
        with builtin_errors(key):
            self.store.delete(key)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        self.invalidate_cache()
        for name in reversed(self.expand_path(path, recursive=recursive, maxdepth=maxdepth)):
            key = self._strip_protocol(name)
            if not key:
                continue  # the store root is never deleted
            with builtin_errors(key):
                if self.store.is_file(key):
                    self.store.delete(key, missing_ok=True)
                else:
                    self.store.delete_folder(key, recursive=recursive, missing_ok=True)

    def _rm(self, path: str) -> None:
        self.rm_file(path)

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Nothing to do: folders exist while they hold files."""

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        """Nothing to do (folders exist while they hold files); ``FileExistsError`` when
        ``path`` exists and ``exist_ok`` is false."""
        if not exist_ok and self._strip_protocol(path) and self.exists(path):
            raise FileExistsError(17, "exists", path)

    def rmdir(self, path: str) -> None:
        key = self._strip_protocol(path)
        self.invalidate_cache(key)
        with builtin_errors(key):
            self.store.delete_folder(key)

    def __repr__(self) -> str:
        return f"StoreFileSystem({self.store!r}, profile={self.profile!r})"


def _clamp(offset: int, size: int) -> int:
    if offset < 0:
        offset += size
    return max(0, min(offset, size))


def _depth(name: str, folder: str) -> int:
    """How many levels ``name`` lies below ``folder`` (1: directly in it)."""
    relative = name[len(folder) + 1 :] if folder else name
    return relative.count("/") + 1
