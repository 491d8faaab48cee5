"""The Store's inlined fast paths (cached keys, overwrite of an existing file) decide
exactly as the general paths do."""

from __future__ import annotations

import pytest
from remote_store import AlreadyExists, InvalidPath, Store, WriteResult
from remote_store._path import NORMAL_KEYS, normalize_key
from remote_store.backends import MemoryBackend


def test_cached_spellings_reach_the_same_key() -> None:
    store = Store(MemoryBackend(), "root")
    store.write("a/b.txt", b"1")
    for spelling in ("a/b.txt", "/a//b.txt", "a\\b.txt", "./a/./b.txt"):
        assert store.read_bytes(spelling) == b"1"
        assert store.read_bytes(spelling) == b"1"  # second time from the cache
        assert NORMAL_KEYS[spelling] == "a/b.txt"


@pytest.mark.parametrize("bad", ["", ".", "/", "a/../b", "a\x00b", "a\nb"])
def test_refused_paths_are_refused_every_time_and_never_cached(bad: str) -> None:
    store = Store(MemoryBackend())
    for _ in range(2):
        with pytest.raises(InvalidPath):
            store.write(bad, b"x", overwrite=True)
        with pytest.raises(InvalidPath):
            store.read_bytes(bad)
    assert bad not in NORMAL_KEYS


def test_non_str_paths_take_the_checked_path() -> None:
    class Name(str):
        pass

    store = Store(MemoryBackend())
    store.write(Name("/n.txt"), b"n")
    assert store.read_bytes(Name("n.txt")) == b"n"
    for bad in (b"n.txt", 3, None, ["n.txt"]):
        with pytest.raises(InvalidPath):
            store.read_bytes(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidPath):
            store.write(bad, b"x", overwrite=True)  # type: ignore[arg-type]


def test_cache_stays_bounded() -> None:
    for n in range(20_000):
        normalize_key(f"bounded/{n}")
    assert len(NORMAL_KEYS) <= 8192
    assert normalize_key("bounded/1") == "bounded/1"


def test_overwrite_fast_path_keeps_create_and_folder_rules() -> None:
    store = Store(MemoryBackend())
    first = store.write("d/f", b"1")
    with pytest.raises(AlreadyExists):
        store.write("d/f", b"2")
    second = store.write("d/f", b"22", overwrite=True)
    assert store.read_bytes("d/f") == b"22"
    assert isinstance(second, WriteResult) and (second.size, second.source) == (2, "native")
    assert second.last_modified is not None and first.last_modified is not None
    assert second.last_modified >= first.last_modified
    with pytest.raises(InvalidPath):
        store.write("d", b"x", overwrite=True)  # a folder
    with pytest.raises(InvalidPath):
        store.write("d/f/g", b"x", overwrite=True)  # under a file
    assert sorted(info.name for info in store.list_files("d")) == ["f"]
    store.delete_folder("d", recursive=True)
    store.write("d/f", b"3")  # parents made again after the folder went
    assert [e.name for e in store.list_folders("")] == ["d"]
