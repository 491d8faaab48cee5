"""MemoryCache: a thread-safe in-process TTL + LRU cache for ``ext.cache``."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from remote_store.errors import InvalidArgument

__all__ = ["MemoryCache"]

CacheKey = tuple[Hashable, ...]


class MemoryCache:
    """An in-memory :class:`~remote_store.ext.cache.CacheBackend`.

    Entries expire ``ttl`` seconds after they were set (``None``: never); beyond
    ``max_entries`` the least recently used entry is dropped. ``clear_prefix`` with a
    prefix of one or two elements uses an index, so invalidation does not scan the cache.
    """

    def __init__(self, max_entries: int | None = None) -> None:
        if max_entries is not None and (
            isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1
        ):
            raise InvalidArgument(
                f"max_entries must be a positive int or None, got {max_entries!r}"
            )
        self._max_entries = max_entries
        self._entries: OrderedDict[CacheKey, tuple[Any, float | None]] = OrderedDict()
        self._index: dict[CacheKey, set[CacheKey]] = {}
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> Any | None:
        """The live value for ``key``, or ``None``."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            value, expires = found
            if expires is not None and time.monotonic() >= expires:
                self._remove(key)
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: CacheKey, value: Any, ttl: float | None) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds."""
        expires = None if ttl is None else time.monotonic() + ttl
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
            else:
                for prefix in (key[:1], key[:2]):
                    self._index.setdefault(prefix, set()).add(key)
            self._entries[key] = (value, expires)
            if self._max_entries is not None:
                while len(self._entries) > self._max_entries:
                    self._remove(next(iter(self._entries)))

    def delete(self, key: CacheKey) -> None:
        """Forget ``key``."""
        with self._lock:
            if key in self._entries:
                self._remove(key)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._index.clear()

    def clear_prefix(self, prefix: CacheKey) -> None:
        """Forget every key whose leading elements equal ``prefix``."""
        with self._lock:
            if len(prefix) <= 2:
                doomed = list(self._index.get(prefix, ()))
            else:
                doomed = [key for key in self._entries if key[: len(prefix)] == prefix]
            for key in doomed:
                self._remove(key)

    def size(self) -> int:
        """Number of entries held (expired ones included until touched)."""
        with self._lock:
            return len(self._entries)

    def _remove(self, key: CacheKey) -> None:
        del self._entries[key]
        for prefix in (key[:1], key[:2]):
            bucket = self._index.get(prefix)
            if bucket is not None:
                bucket.discard(key)
                if not bucket:
                    del self._index[prefix]
