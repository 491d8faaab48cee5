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

import sys
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack, overload, runtime_checkable

from remote_store._proxy import ProxyStore
from remote_store._store import Store
from remote_store.errors import ConfigError, InvalidArgument, RemoteStoreError
from remote_store.ext._memory_cache import MemoryCache
from remote_store.hookspecs import hookimpl
from remote_store.layers import Call, Hit, Kind, Layer, Watch

if TYPE_CHECKING:  # pragma: no cover
    from remote_store.aio import AsyncStore
    from remote_store.aio.ext.cache import AsyncCachedStore

__all__ = [
    "CacheBackend",
    "CacheLayer",
    "CacheOptions",
    "CacheStats",
    "CachedStore",
    "MemoryCache",
    "cache",
]

CacheKey = tuple[Hashable, ...]

#: Most bytes a ``read()`` stream collects to fill the cache when ``max_content_size`` is unset.
STREAM_CACHE_LIMIT = 1024 * 1024


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


#: Operations answered from the cache, and the kind of entry each one keeps.
_CACHED = {
    "exists": "exists",
    "is_file": "is_file",
    "is_folder": "is_folder",
    "get_file_info": "file_info",
    "head": "head",
    "get_folder_info": "folder_info",
    "read_bytes": "bytes",
    "read_text": "bytes",
    "read": "bytes",
    "read_seekable": "bytes",
    "list_files": "list_files",
    "list_folders": "list_folders",
    "iter_children": "iter_children",
    "glob": "glob",
}
#: The arguments that are part of a cached entry's key, besides the path.
_KEY_ARGUMENTS = {
    "get_folder_info": ("max_depth",),
    "list_files": ("recursive", "pattern", "max_depth", "strict"),
    "list_folders": ("pattern", "max_depth"),
    "glob": ("pattern",),
}
_FILE_ENTRIES = frozenset({"file_info", "head", "bytes"})


class CacheLayer(Layer):
    """The cache middleware as a layer (sync and async stores); see the module's text."""

    def __init__(self, state: _SharedState) -> None:
        self.state = state

    def start(self, call: Call) -> Watch | Hit | None:
        op = call.op
        if op.mutates:
            return _Invalidate(self, call)
        kind = _CACHED.get(op.name)
        if kind is None:
            return None
        store = call.store
        if op.name == "glob":  # may match anything: keyed under the backend root
            full = ""
        elif kind in _FILE_ENTRIES:
            full = store._file_key(call.path)
        else:
            full = store._folder_key(call.path)
        arguments = call.arguments if op.name in _KEY_ARGUMENTS else {}
        extra = tuple(arguments[name] for name in _KEY_ARGUMENTS.get(op.name, ()))
        key = (id(store.backend), full, kind, store.root_path, *extra)
        state = self.state
        found = state.backend.get(key)
        if found is not None:
            state.count(hit=True)
            return Hit(bytes(found) if kind == "bytes" else found)
        state.count(hit=False)
        if op.name == "read_seekable":
            return None
        limit = state.max_content_size
        if op.name == "read" and limit is None:
            limit = STREAM_CACHE_LIMIT
        return _Fill(state, key, op.kind, limit)

    def invalidate(self, store: Any, full_key: str) -> None:
        """Forget ``full_key`` (a backend key), its ancestors and their listings."""
        state = self.state
        state.bump()
        backend_id = id(store.backend)
        folder = full_key
        while True:
            state.backend.clear_prefix((backend_id, folder))
            if not folder:
                return
            folder = folder.rpartition("/")[0]

    def clear(self, store: Any) -> None:
        """Forget every entry of ``store``'s backend."""
        self.state.bump()
        self.state.backend.clear_prefix((id(store.backend),))


class _Fill(Watch):
    """A miss: stores the value, the stream's bytes or the listing once complete."""

    def __init__(self, state: _SharedState, key: CacheKey, kind: Kind, limit: int | None) -> None:
        self._state = state
        self._key = key
        self._kind = kind
        self._limit = limit if kind is not Kind.LISTING else state.max_listing_size
        self._generation = state.generation
        self._parts: list[Any] | None = []
        self._size = 0

    def item(self, value: Any) -> None:
        if self._parts is None:
            return
        self._size += len(value) if self._kind is Kind.STREAM else 1
        if self._limit is not None and self._size > self._limit:
            self._parts = None
            return
        self._parts.append(value)

    def seek(self) -> None:
        self._parts = None

    def end(self) -> None:
        if self._kind is Kind.STREAM and self._parts is not None:
            content, self._parts = b"".join(self._parts), None
            self._state.store_if_current(self._key, content, self._generation)

    def finish(self, result: Any, error: BaseException | None, completed: bool) -> None:
        if error is not None:
            return
        if self._kind is Kind.LISTING and completed and self._parts is not None:
            self._state.store_if_current(self._key, tuple(self._parts), self._generation)
        elif self._kind is Kind.VALUE and self._fits(result):
            self._state.store_if_current(self._key, result, self._generation)

    def _fits(self, result: Any) -> bool:
        return not isinstance(result, bytes) or self._limit is None or len(result) <= self._limit


class _Invalidate(Watch):
    """A mutation: when it ends (whatever the outcome), forget what it may have changed."""

    def __init__(self, layer: CacheLayer, call: Call) -> None:
        self._layer = layer
        self._store = call.store
        name = call.op.name
        self._clear_all = name == "delete_folder"
        self._keys: list[str] = []
        if name in ("move", "copy"):
            dst = self._store._file_key(call.arguments["dst"])
            src = [self._store._file_key(call.path)] if name == "move" else []
            self._keys = [*src, dst]
        elif name == "delete_many":
            self._keys = [key for key in map(self._file_key, call.path) if key is not None]
        elif not self._clear_all:
            self._keys = [self._store._file_key(call.path)]

    def _file_key(self, path: str) -> str | None:
        try:
            return str(self._store._file_key(path))
        except RemoteStoreError:
            return None  # an invalid path is reported by the inner store, nothing cached

    def finish(self, result: Any, error: BaseException | None, completed: bool) -> None:
        if self._clear_all:
            self._layer.clear(self._store)
        for key in self._keys:
            self._layer.invalidate(self._store, key)


class CacheControls:
    """The cache's public controls, shared by :class:`CachedStore` and ``AsyncCachedStore``."""

    __slots__ = ()
    _inner: Any
    _layer: Any

    @property
    def stats(self) -> CacheStats:
        """Hits, misses and entries, counted consistently across threads."""
        state = self._layer.state
        with state.lock:
            hits, misses = state.hits, state.misses
        return CacheStats(hits, misses, state.backend.size())

    def invalidate(self, path: str) -> None:
        """Forget what is cached about ``path``, its ancestors and their listings."""
        self._layer.invalidate(self._inner, self._inner._folder_key(path))

    def clear_cache(self) -> None:
        """Forget every entry of this store's backend (shared with children and parents)."""
        self._layer.clear(self._inner)


class CachedStore(CacheControls, ProxyStore):
    """A :class:`~remote_store.ProxyStore` answering repeated queries from a cache."""

    __slots__ = ()

    def __init__(
        self,
        inner: Store,
        *,
        ttl: float | None = 300.0,
        max_content_size: int | None = None,
        max_listing_size: int | None = None,
        max_entries: int | None = None,
        cache_backend: CacheBackend | None = None,
    ) -> None:
        state = shared_state(
            ttl=ttl,
            max_content_size=max_content_size,
            max_listing_size=max_listing_size,
            max_entries=max_entries,
            cache_backend=cache_backend,
        )
        super().__init__(inner, layer=CacheLayer(state))


def shared_state(
    *,
    ttl: float | None = 300.0,
    max_content_size: int | None = None,
    max_listing_size: int | None = None,
    max_entries: int | None = None,
    cache_backend: CacheBackend | None = None,
) -> _SharedState:
    """The checked options of a cache, as the state its layer (and children) share."""
    _check_limit("ttl", ttl, allow_float=True)
    _check_limit("max_content_size", max_content_size)
    _check_limit("max_listing_size", max_listing_size)
    if cache_backend is None:
        cache_backend = MemoryCache(max_entries=max_entries)
    elif not isinstance(cache_backend, CacheBackend):
        raise InvalidArgument("cache_backend must implement the CacheBackend protocol")
    return _SharedState(cache_backend, ttl, max_content_size, max_listing_size)


class CacheOptions(TypedDict, total=False):
    """The keyword arguments of :func:`cache` (each optional)."""

    ttl: float | None
    max_content_size: int | None
    max_listing_size: int | None
    max_entries: int | None
    cache_backend: CacheBackend | None


@overload
def cache(store: Store, **options: Unpack[CacheOptions]) -> CachedStore: ...


@overload
def cache(store: AsyncStore, **options: Unpack[CacheOptions]) -> AsyncCachedStore: ...


def cache(
    store: Store | AsyncStore,
    *,
    ttl: float | None = 300.0,
    max_content_size: int | None = None,
    max_listing_size: int | None = None,
    max_entries: int | None = None,
    cache_backend: CacheBackend | None = None,
) -> CachedStore | AsyncCachedStore:
    """Wrap ``store`` in a read-through :class:`CachedStore` (an
    :class:`~remote_store.aio.AsyncStore` in an
    :class:`~remote_store.aio.ext.cache.AsyncCachedStore`, the same layer).

    ``ttl``: seconds an entry lives (``None``: until invalidated). ``max_content_size``:
    largest file (bytes) whose content is cached. ``max_listing_size``: longest listing
    cached. ``max_entries``: bound of the default :class:`MemoryCache` (LRU).
    ``cache_backend``: another :class:`CacheBackend` (then ``max_entries`` is unused).
    """
    options: CacheOptions = {
        "ttl": ttl,
        "max_content_size": max_content_size,
        "max_listing_size": max_listing_size,
        "max_entries": max_entries,
        "cache_backend": cache_backend,
    }
    if isinstance(store, Store):
        return CachedStore(store, **options)
    aio = sys.modules.get("remote_store.aio._store")  # loaded if store is an AsyncStore
    if aio is not None and isinstance(store, aio.AsyncStore):
        from remote_store.aio.ext.cache import AsyncCachedStore

        return AsyncCachedStore(store, **options)
    raise InvalidArgument(f"cache() needs a Store or an AsyncStore, not {type(store).__name__}")


_CONFIG_KEYS = frozenset({"ttl", "max_content_size", "max_listing_size", "max_entries"})


@hookimpl(tryfirst=True)
def remote_store_wrap_store(
    store: Store | AsyncStore, profile: str, options: Mapping[str, Any]
) -> Store | AsyncStore | None:
    """Registry hook: a profile with a ``cache`` option is served through :func:`cache`.

    It runs before the other wrappers, so the cache is the innermost layer (next to the
    store) and every observer outside it sees cache hits too.

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
