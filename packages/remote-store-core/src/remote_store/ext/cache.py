"""Read-through caching of a Store's queries, reads and listings.

``cache(store)`` returns a :class:`CachedStore`. Cached: ``exists``, ``is_file``,
``is_folder``, ``read_bytes``, ``read_text`` (from the cached bytes), ``read`` and
``read_seekable`` (answered from cached bytes; a ``read()`` stream that is read to the
end caches the file when it is at most ``max_content_size``, or 1 MiB when that is not
set, so a stream never accumulates more), ``get_file_info``, ``head``,
``get_folder_info``, ``list_files``, ``list_folders``, ``iter_children`` and ``glob``.
Listings stream: an entry is yielded as soon as the inner store produces it, and the
listing is cached only once it was consumed to the end and has at most
``max_listing_size`` entries.

Every mutation made through the proxy (``write*``, ``open_atomic``, ``delete``,
``move``, ``copy``) invalidates the path, each of its ancestors (their existence, folder
info and listings) and every cached glob; ``delete_folder`` clears all entries of the
backend. Cache keys use backend keys, so a child store and its parent share entries and
see each other's invalidations. Writers that bypass the proxy are seen after ``ttl``.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Protocol, TypeVar, runtime_checkable

from remote_store._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from remote_store._proxy import ProxyStore
from remote_store._store import AtomicWriteContext, Store
from remote_store._store_core import DeleteOutcomes
from remote_store._streams import WritableContent
from remote_store.errors import ConfigError, InvalidArgument, RemoteStoreError
from remote_store.ext._memory_cache import MemoryCache
from remote_store.hookspecs import hookimpl

__all__ = ["CacheBackend", "CacheStats", "CachedStore", "MemoryCache", "cache"]

T = TypeVar("T")
CacheKey = tuple[Hashable, ...]

#: Most bytes a ``read()`` stream collects to fill the cache when ``max_content_size`` is unset.
STREAM_CACHE_LIMIT = 1024 * 1024

_FILE_KINDS = ("exists", "is_file", "is_folder", "bytes", "file_info")


@runtime_checkable
class CacheBackend(Protocol):
    """Where a :class:`CachedStore` keeps its entries. Keys are tuples of hashables.

    ``get`` returns ``None`` for a missing or expired key (``None`` is never stored);
    ``clear_prefix(prefix)`` forgets every key whose leading elements equal ``prefix``.
    Implementations must be thread-safe.
    """

    def get(self, key: CacheKey) -> Any | None: ...

    def set(self, key: CacheKey, value: Any, ttl: float | None) -> None: ...

    def delete(self, key: CacheKey) -> None: ...

    def clear(self) -> None: ...

    def clear_prefix(self, prefix: CacheKey) -> None: ...

    def size(self) -> int: ...


@dataclass(frozen=True, slots=True)
class CacheStats:
    """A snapshot: cache hits and misses so far, and the number of entries held."""

    hits: int
    misses: int
    size: int


class _SharedState:
    """What a cached store shares with its children: the cache, counters, generation."""

    def __init__(
        self,
        backend: CacheBackend,
        ttl: float | None,
        max_content_size: int | None,
        max_listing_size: int | None,
    ) -> None:
        self.backend = backend
        self.ttl = ttl
        self.max_content_size = max_content_size
        self.max_listing_size = max_listing_size
        self.hits = 0
        self.misses = 0
        self.generation = 0
        self.lock = threading.Lock()

    def count(self, hit: bool) -> None:
        with self.lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def bump(self) -> None:
        with self.lock:
            self.generation += 1

    def store_if_current(self, key: CacheKey, value: Any, generation: int) -> None:
        """Cache ``value`` unless a mutation happened since ``generation`` was read."""
        with self.lock:
            if generation == self.generation:
                self.backend.set(key, value, self.ttl)


def _check_limit(name: str, value: float | int | None, *, allow_float: bool = False) -> None:
    if value is None:
        return
    kinds: tuple[type, ...] = (int, float) if allow_float else (int,)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < 0:
        raise InvalidArgument(f"{name} must be a non-negative number or None, got {value!r}")


class CachedStore(ProxyStore):
    """A :class:`~remote_store.ProxyStore` answering repeated queries from a cache."""

    __slots__ = ("_state",)

    def __init__(
        self,
        inner: Store,
        *,
        ttl: float | None = 300.0,
        max_content_size: int | None = None,
        max_listing_size: int | None = None,
        max_entries: int | None = None,
        cache_backend: CacheBackend | None = None,
        _state: _SharedState | None = None,
    ) -> None:
        super().__init__(inner)
        if _state is None:
            _check_limit("ttl", ttl, allow_float=True)
            _check_limit("max_content_size", max_content_size)
            _check_limit("max_listing_size", max_listing_size)
            if cache_backend is None:
                cache_backend = MemoryCache(max_entries=max_entries)
            elif not isinstance(cache_backend, CacheBackend):
                raise InvalidArgument("cache_backend must implement the CacheBackend protocol")
            _state = _SharedState(cache_backend, ttl, max_content_size, max_listing_size)
        self._state = _state

    def _wrap_child(self, inner_child: Store) -> Store:
        return CachedStore(inner_child, _state=self._state)

    # -- public cache controls --------------------------------------------------------

    @property
    def stats(self) -> CacheStats:
        """Hits, misses and entries, counted consistently across threads."""
        state = self._state
        with state.lock:
            hits, misses = state.hits, state.misses
        return CacheStats(hits, misses, state.backend.size())

    def invalidate(self, path: str) -> None:
        """Forget what is cached about ``path``, its ancestors and their listings."""
        self._invalidate(self._inner._folder_key(path))

    def clear_cache(self) -> None:
        """Forget every entry of this store's backend (shared with children and parents)."""
        self._state.bump()
        self._state.backend.clear_prefix((self._backend_id,))

    # -- keys -------------------------------------------------------------------------

    @property
    def _backend_id(self) -> int:
        return id(self._inner.backend)

    def _key(self, full_key: str, kind: str, *args: Hashable) -> CacheKey:
        return (self._backend_id, full_key, kind, self._inner.root_path, *args)

    def _invalidate(self, full_key: str) -> None:
        state = self._state
        state.bump()
        folder = full_key
        while True:
            state.backend.clear_prefix((self._backend_id, folder))
            if not folder:
                return
            folder = folder.rpartition("/")[0]

    def _cached(self, key: CacheKey, compute: Callable[[], T]) -> T:
        state = self._state
        found = state.backend.get(key)
        if found is not None:
            state.count(hit=True)
            return found  # type: ignore[no-any-return]
        state.count(hit=False)
        generation = state.generation
        value = compute()
        state.store_if_current(key, value, generation)
        return value

    def _file(self, path: str) -> str:
        return self._inner._file_key(path)

    def _folder(self, path: str) -> str:
        return self._inner._folder_key(path)

    # -- queries ----------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        key = self._key(self._folder(path), "exists")
        return self._cached(key, lambda: self._inner.exists(path))

    def is_file(self, path: str) -> bool:
        key = self._key(self._folder(path), "is_file")
        return self._cached(key, lambda: self._inner.is_file(path))

    def is_folder(self, path: str) -> bool:
        key = self._key(self._folder(path), "is_folder")
        return self._cached(key, lambda: self._inner.is_folder(path))

    def get_file_info(self, path: str) -> FileInfo:
        key = self._key(self._file(path), "file_info")
        return self._cached(key, lambda: self._inner.get_file_info(path))

    def head(self, path: str) -> WriteResult:
        key = self._key(self._file(path), "head")
        return self._cached(key, lambda: self._inner.head(path))

    def get_folder_info(self, path: str = "", *, max_depth: int | None = None) -> FolderInfo:
        key = self._key(self._folder(path), "folder_info", max_depth)
        return self._cached(key, lambda: self._inner.get_folder_info(path, max_depth=max_depth))

    # -- reads ------------------------------------------------------------------------

    def _content_fits(self, size: int) -> bool:
        limit = self._state.max_content_size
        return limit is None or size <= limit

    def read_bytes(self, path: str) -> bytes:
        state = self._state
        key = self._key(self._file(path), "bytes")
        found = state.backend.get(key)
        if found is not None:
            state.count(hit=True)
            return bytes(found)
        state.count(hit=False)
        generation = state.generation
        data = self._inner.read_bytes(path)
        if self._content_fits(len(data)):
            state.store_if_current(key, data, generation)
        return data

    def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self.read_bytes(path).decode(encoding, errors)

    def read(self, path: str) -> BinaryIO:
        state = self._state
        key = self._key(self._file(path), "bytes")
        found = state.backend.get(key)
        if found is not None:
            state.count(hit=True)
            return io.BytesIO(found)
        state.count(hit=False)
        generation = state.generation
        limit = state.max_content_size
        if limit is None:
            limit = STREAM_CACHE_LIMIT
        stream = self._inner.read(path)

        def fill(data: bytes) -> None:
            state.store_if_current(key, data, generation)

        return _FillingReader(stream, limit, fill)  # type: ignore[return-value]

    def read_seekable(self, path: str) -> BinaryIO:
        state = self._state
        found = state.backend.get(self._key(self._file(path), "bytes"))
        if found is not None:
            state.count(hit=True)
            return io.BytesIO(found)
        state.count(hit=False)
        return self._inner.read_seekable(path)

    # -- listings ---------------------------------------------------------------------

    def _cached_listing(self, key: CacheKey, produce: Callable[[], Iterator[T]]) -> Iterator[T]:
        state = self._state
        found = state.backend.get(key)
        if found is not None:
            state.count(hit=True)
            return iter(found)
        state.count(hit=False)
        generation = state.generation
        source = produce()  # argument errors surface here, eagerly
        return self._fill_listing(key, source, generation)

    def _fill_listing(self, key: CacheKey, source: Iterator[T], generation: int) -> Iterator[T]:
        limit = self._state.max_listing_size
        collected: list[T] | None = []
        for entry in source:
            if collected is not None:
                collected.append(entry)
                if limit is not None and len(collected) > limit:
                    collected = None
            yield entry
        if collected is not None:
            self._state.store_if_current(key, tuple(collected), generation)

    def list_files(
        self,
        path: str = "",
        *,
        recursive: bool = False,
        pattern: str | None = None,
        max_depth: int | None = None,
        strict: bool = False,
    ) -> Iterator[FileInfo]:
        key = self._key(self._folder(path), "list_files", recursive, pattern, max_depth, strict)
        return self._cached_listing(
            key,
            lambda: self._inner.list_files(
                path, recursive=recursive, pattern=pattern, max_depth=max_depth, strict=strict
            ),
        )

    def list_folders(
        self, path: str = "", *, pattern: str | None = None, max_depth: int | None = None
    ) -> Iterator[FolderEntry]:
        key = self._key(self._folder(path), "list_folders", pattern, max_depth)
        return self._cached_listing(
            key, lambda: self._inner.list_folders(path, pattern=pattern, max_depth=max_depth)
        )

    def iter_children(self, path: str = "") -> Iterator[FileInfo | FolderEntry]:
        key = self._key(self._folder(path), "iter_children")
        return self._cached_listing(key, lambda: self._inner.iter_children(path))

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        # globs may match anything: keyed under the backend root, which every
        # invalidation clears.
        key = self._key("", "glob", pattern)
        return self._cached_listing(key, lambda: self._inner.glob(pattern))

    # -- mutations --------------------------------------------------------------------

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> WriteResult:
        full = self._file(path)
        try:
            return self._inner.write(
                path,
                content,
                overwrite=overwrite,
                metadata=metadata,
                if_match=if_match,
                if_none_match=if_none_match,
            )
        finally:
            self._invalidate(full)

    def write_atomic(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        full = self._file(path)
        try:
            return self._inner.write_atomic(path, content, overwrite=overwrite, metadata=metadata)
        finally:
            self._invalidate(full)

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AtomicWriteContext:
        full = self._file(path)
        context = self._inner.open_atomic(path, overwrite=overwrite, metadata=metadata)
        return _InvalidatingAtomicWrite(context, lambda: self._invalidate(full))

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        full = self._file(path)
        try:
            self._inner.delete(path, missing_ok=missing_ok)
        finally:
            self._invalidate(full)

    def delete_many(self, paths: Iterable[str], *, missing_ok: bool = False) -> DeleteOutcomes:
        paths = list(paths) if not isinstance(paths, (str, bytes)) else paths
        try:
            return self._inner.delete_many(paths, missing_ok=missing_ok)
        finally:
            for path in paths:
                try:
                    self._invalidate(self._file(path))
                except RemoteStoreError:
                    pass  # an invalid path was reported by the inner store, nothing cached

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        try:
            self._inner.delete_folder(path, recursive=recursive, missing_ok=missing_ok)
        finally:
            self.clear_cache()

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        src_key, dst_key = self._file(src), self._file(dst)
        try:
            self._inner.move(src, dst, overwrite=overwrite)
        finally:
            self._invalidate(src_key)
            self._invalidate(dst_key)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        dst_key = self._file(dst)
        try:
            self._inner.copy(src, dst, overwrite=overwrite)
        finally:
            self._invalidate(dst_key)


class _FillingReader(io.RawIOBase):
    """A read stream that hands its bytes to ``fill`` when read to the end from the start.

    It collects at most ``limit`` bytes; past that, or after a seek, it stops collecting.
    """

    def __init__(
        self, inner: IO[bytes] | BinaryIO, limit: int, fill: Callable[[bytes], None]
    ) -> None:
        super().__init__()
        self._inner = inner
        self._limit = limit
        self._fill = fill
        self._parts: list[bytes] | None = []
        self._collected = 0

    def readable(self) -> bool:
        return True

    def _seen(self, data: bytes, requested: int) -> None:
        if self._parts is None:
            return
        if data:
            self._collected += len(data)
            if self._collected > self._limit:
                self._parts = None
                return
            self._parts.append(data)
        elif requested != 0:  # end of file
            content, self._parts = b"".join(self._parts), None
            self._fill(content)

    def read(self, size: int | None = -1) -> bytes:
        requested = -1 if size is None else size
        data = bytes(self._inner.read(requested) or b"")
        self._seen(data, requested)
        if requested < 0 and data:
            self._seen(b"", requested)  # a whole-file read has reached the end
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        if not self.closed:
            self._parts = None
            try:
                self._inner.close()
            finally:
                super().close()


class _InvalidatingAtomicWrite(AtomicWriteContext):
    """Wraps the inner ``open_atomic`` context; invalidates the path after the block."""

    def __init__(self, inner: AtomicWriteContext, invalidate: Callable[[], None]) -> None:
        self._wrapped = inner
        self._after = invalidate
        self.result = None

    def __enter__(self) -> BinaryIO:
        return self._wrapped.__enter__()

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self._wrapped.__exit__(*exc_info)
        finally:
            self._after()
        self.result = self._wrapped.result


def cache(
    store: Store,
    *,
    ttl: float | None = 300.0,
    max_content_size: int | None = None,
    max_listing_size: int | None = None,
    max_entries: int | None = None,
    cache_backend: CacheBackend | None = None,
) -> CachedStore:
    """Wrap ``store`` in a read-through :class:`CachedStore`.

    ``ttl``: seconds an entry lives (``None``: until invalidated). ``max_content_size``:
    largest file (bytes) whose content is cached. ``max_listing_size``: longest listing
    cached. ``max_entries``: bound of the default :class:`MemoryCache` (LRU).
    ``cache_backend``: another :class:`CacheBackend` (then ``max_entries`` is unused).
    """
    if not isinstance(store, Store):
        raise InvalidArgument(f"cache() needs a Store, not {type(store).__name__}")
    return CachedStore(
        store,
        ttl=ttl,
        max_content_size=max_content_size,
        max_listing_size=max_listing_size,
        max_entries=max_entries,
        cache_backend=cache_backend,
    )


_CONFIG_KEYS = frozenset({"ttl", "max_content_size", "max_listing_size", "max_entries"})


@hookimpl
def remote_store_wrap_store(store: Store, profile: str, options: Mapping[str, Any]) -> Store | None:
    """Registry hook: a profile with a ``cache`` option is served through :func:`cache`.

    ``cache = true`` uses the defaults; a table takes ``ttl``, ``max_content_size``,
    ``max_listing_size`` and ``max_entries``. ``cache = false`` or no key: not wrapped.
    """
    table = options.get("cache") if isinstance(options, Mapping) else None
    if table is None or table is False:
        return None
    if table is True:
        return cache(store)
    if not isinstance(table, Mapping):
        raise ConfigError(f"store {profile!r}: 'cache' must be true or a table, not {table!r}")
    unknown = set(table) - _CONFIG_KEYS
    if unknown:
        raise ConfigError(
            f"store {profile!r}: unknown cache option(s) {sorted(unknown)}; "
            f"allowed: {sorted(_CONFIG_KEYS)}"
        )
    try:
        return cache(store, **table)
    except RemoteStoreError as exc:
        raise ConfigError(f"store {profile!r}: {exc.message}") from exc
