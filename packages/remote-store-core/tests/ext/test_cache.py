"""ext.cache: read-through caching, invalidation, streamed reads, thread-safe stats."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from remote_store import Store
from remote_store.backends import LocalBackend
from remote_store.errors import ConfigError, InvalidArgument
from remote_store.ext.cache import CachedStore, CacheStats, MemoryCache, cache
from remote_store.ext.cache import remote_store_wrap_store as wrap_store


def external(store: Store) -> Store:
    """A second, uncached view of the same backend: writes the cache cannot see."""
    return Store(store.backend, _owns=False)


def test_repeated_reads_hit(tree: Store) -> None:
    cached = cache(tree)
    assert cached.read_bytes("a.txt") == b"A"
    external(tree).write("a.txt", b"changed", overwrite=True)
    assert cached.read_bytes("a.txt") == b"A"  # served from the cache
    assert cached.read_text("a.txt") == "A"
    assert cached.stats.hits == 2 and cached.stats.misses == 1
    assert isinstance(cached.stats, CacheStats)


def test_writes_through_the_proxy_invalidate_path_ancestors_and_listings(tree: Store) -> None:
    cached = cache(tree)
    assert cached.read_bytes("docs/readme.md") == b"readme"
    before = [str(i.path) for i in cached.list_files("docs", recursive=True)]
    top = [str(i.path) for i in cached.list_files("")]
    assert not cached.exists("docs/guide/new.md")
    folder = cached.get_folder_info("docs")
    children = [str(e.path) for e in cached.iter_children("docs/guide")]
    cached.write("docs/guide/new.md", b"new")
    cached.write("docs/readme.md", b"v2", overwrite=True)
    assert cached.read_bytes("docs/readme.md") == b"v2"
    assert cached.exists("docs/guide/new.md")
    assert [str(i.path) for i in cached.list_files("docs", recursive=True)] == sorted(
        [*before, "docs/guide/new.md"]
    )
    assert [str(i.path) for i in cached.list_files("")] == top
    assert cached.get_folder_info("docs").file_count == folder.file_count + 1
    assert "docs/guide/new.md" in [str(e.path) for e in cached.iter_children("docs/guide")]
    assert len(children) + 1 == len(list(cached.iter_children("docs/guide")))


def test_delete_move_copy_invalidate(tree: Store) -> None:
    cached = cache(tree)
    assert cached.exists("a.txt")
    cached.copy("a.txt", "b.txt")
    assert cached.read_bytes("b.txt") == b"A"
    cached.move("b.txt", "c.txt")
    assert not cached.exists("b.txt") and cached.exists("c.txt")
    cached.delete("c.txt")
    assert not cached.exists("c.txt")
    assert cached.is_folder("docs/guide")
    cached.delete_folder("docs", recursive=True)
    assert not cached.is_folder("docs/guide")
    assert list(cached.list_files("docs", recursive=True)) == []


def test_glob_is_invalidated_by_any_write(tree: Store) -> None:
    cached = cache(tree)
    assert [str(i.path) for i in cached.list_files("", recursive=True, pattern="*.md")]
    from remote_store.ext.glob import glob_files

    first = sorted(str(i.path) for i in glob_files(cached, "**/*.csv"))
    cached.write("x/y/z.csv", b"1")
    assert sorted(str(i.path) for i in glob_files(cached, "**/*.csv")) == sorted(
        [*first, "x/y/z.csv"]
    )


def test_open_atomic_invalidates(tree: Store) -> None:
    cached = cache(tree)
    assert cached.read_bytes("a.txt") == b"A"
    with cached.open_atomic("a.txt", overwrite=True) as stream:
        stream.write(b"atomic")
    assert cached.read_bytes("a.txt") == b"atomic"


def test_read_stream_read_to_the_end_fills_the_cache(tree: Store) -> None:
    cached = cache(tree)
    with cached.read("docs/readme.md") as stream:
        assert stream.read(3) == b"rea"
        assert stream.read() == b"dme"
    external(tree).write("docs/readme.md", b"changed", overwrite=True)
    with cached.read("docs/readme.md") as stream:
        assert stream.read() == b"readme"
    assert cached.read_bytes("docs/readme.md") == b"readme"
    assert cached.stats.hits == 2


def test_partially_read_or_large_streams_are_not_cached(tree: Store) -> None:
    cached = cache(tree, max_content_size=4)
    with cached.read("docs/readme.md") as stream:  # 6 bytes > 4
        stream.read()
    with cached.read("docs/guide/intro.md") as stream:
        stream.read(2)  # closed before the end
    outside = external(tree)
    outside.write("docs/readme.md", b"v2", overwrite=True)
    outside.write("docs/guide/intro.md", b"v2", overwrite=True)
    assert cached.read_bytes("docs/readme.md") == b"v2"
    assert cached.read_bytes("docs/guide/intro.md") == b"v2"


def test_large_listings_are_streamed_but_not_cached(tree: Store) -> None:
    cached = cache(tree, max_listing_size=2)
    assert len(list(cached.list_files("", recursive=True))) == 5
    external(tree).write("new.txt", b"1")
    assert len(list(cached.list_files("", recursive=True))) == 6


def test_ttl_expiry(tree: Store) -> None:
    cached = cache(tree, ttl=0)
    assert cached.read_bytes("a.txt") == b"A"
    external(tree).write("a.txt", b"B", overwrite=True)
    assert cached.read_bytes("a.txt") == b"B"


def test_child_shares_the_cache_and_invalidations(tree: Store) -> None:
    cached = cache(tree)
    docs = cached.child("docs")
    assert isinstance(docs, CachedStore)
    assert [str(i.path) for i in docs.list_files()] == ["readme.md"]
    assert [str(i.path) for i in cached.list_files("docs")] == ["docs/readme.md"]
    docs.write("more.md", b"m")
    assert [str(i.path) for i in cached.list_files("docs")] == ["docs/more.md", "docs/readme.md"]


def test_invalidate_and_clear_cache(tree: Store) -> None:
    cached = cache(tree)
    assert cached.read_bytes("a.txt") == b"A"
    external(tree).write("a.txt", b"B", overwrite=True)
    cached.invalidate("a.txt")
    assert cached.read_bytes("a.txt") == b"B"
    assert cached.stats.size > 0
    cached.clear_cache()
    assert cached.stats.size == 0


def test_stats_are_exact_under_threads(tree: Store) -> None:
    cached = cache(tree)
    calls_per_thread, threads = 300, 8
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            for index in range(calls_per_thread):
                assert cached.read_bytes("a.txt" if index % 2 else "docs/readme.md")
                if index % 50 == 0:
                    cached.write("scratch.txt", b"x", overwrite=True)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    stats = cached.stats
    assert stats.hits + stats.misses == calls_per_thread * threads
    assert stats.misses >= 2


def test_memory_cache_lru_and_prefixes() -> None:
    memory = MemoryCache(max_entries=2)
    memory.set((1, "a", "x"), 1, None)
    memory.set((1, "b", "x"), 2, None)
    assert memory.get((1, "a", "x")) == 1  # a is now most recent
    memory.set((1, "c", "x"), 3, None)
    assert memory.get((1, "b", "x")) is None
    memory.clear_prefix((1, "a"))
    assert memory.get((1, "a", "x")) is None and memory.get((1, "c", "x")) == 3
    memory.clear_prefix((1, "c", "x"))
    assert memory.size() == 0


@pytest.mark.parametrize(
    "options",
    [{"ttl": -1}, {"max_content_size": "big"}, {"max_entries": 0}, {"cache_backend": object()}],
)
def test_bad_options(tree: Store, options: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        cache(tree, **options)  # type: ignore[call-overload]


def test_cache_needs_a_store() -> None:
    with pytest.raises(InvalidArgument):
        cache("not a store")  # type: ignore[call-overload]


def test_registry_hook_wraps_when_configured(tmp_path: Path) -> None:
    store = Store(LocalBackend(root=tmp_path))
    assert wrap_store(store=store, profile="p", options={}) is None
    assert wrap_store(store=store, profile="p", options={"cache": False}) is None
    assert isinstance(wrap_store(store=store, profile="p", options={"cache": True}), CachedStore)
    wrapped = wrap_store(store=store, profile="p", options={"cache": {"ttl": 5, "max_entries": 9}})
    assert isinstance(wrapped, CachedStore)
    with pytest.raises(ConfigError, match="unknown cache option"):
        wrap_store(store=store, profile="p", options={"cache": {"tll": 5}})
    with pytest.raises(ConfigError):
        wrap_store(store=store, profile="p", options={"cache": {"ttl": -5}})
    with pytest.raises(ConfigError):
        wrap_store(store=store, profile="p", options={"cache": "yes"})
