"""Listings on both backends: order, depth, patterns, strict, missing folders."""

from __future__ import annotations

from typing import Any

import pytest
from remote_store import FileInfo, FolderEntry, InvalidPath, NotFound, RemotePath, Store


def _paths(entries: Any) -> list[str]:
    return [str(e.path) for e in entries]


@pytest.fixture
def tree(store: Store) -> Store:
    for key in [
        "a.txt",
        "a-b.txt",
        "a/inner.txt",
        "a/z/deep.txt",
        "a.d/x.txt",
        "b/1.csv",
        "b/2.txt",
        "b/c/3.csv",
        "b/c/d/4.csv",
    ]:
        store.write(key, key.encode())
    return store


def test_list_files_immediate_only_by_default(tree: Store) -> None:
    assert _paths(tree.list_files("")) == ["a-b.txt", "a.txt"]
    assert _paths(tree.list_files("b")) == ["b/1.csv", "b/2.txt"]


def test_list_files_recursive_is_sorted_with_folders_as_path_slash(tree: Store) -> None:
    # "a-b.txt" < "a.d/" < "a.txt" < "a/" in byte order: folders sort as "name/"
    assert _paths(tree.list_files("", recursive=True)) == [
        "a-b.txt",
        "a.d/x.txt",
        "a.txt",
        "a/inner.txt",
        "a/z/deep.txt",
        "b/1.csv",
        "b/2.txt",
        "b/c/3.csv",
        "b/c/d/4.csv",
    ]


def test_list_files_yields_file_info(tree: Store) -> None:
    info = next(iter(tree.list_files("b")))
    assert isinstance(info, FileInfo)
    assert isinstance(info.path, RemotePath)
    assert (info.name, info.size) == ("1.csv", len(b"b/1.csv"))


@pytest.mark.parametrize(
    ("max_depth", "recursive", "expected"),
    [
        (0, True, ["b/1.csv", "b/2.txt"]),
        (1, False, ["b/1.csv", "b/2.txt", "b/c/3.csv"]),
        (2, False, ["b/1.csv", "b/2.txt", "b/c/3.csv", "b/c/d/4.csv"]),
        (9, False, ["b/1.csv", "b/2.txt", "b/c/3.csv", "b/c/d/4.csv"]),
        (None, True, ["b/1.csv", "b/2.txt", "b/c/3.csv", "b/c/d/4.csv"]),
        (None, False, ["b/1.csv", "b/2.txt"]),
    ],
)
def test_list_files_max_depth_overrides_recursive(
    tree: Store, max_depth: int | None, recursive: bool, expected: list[str]
) -> None:
    assert _paths(tree.list_files("b", recursive=recursive, max_depth=max_depth)) == expected


def test_list_files_pattern_matches_basename_case_sensitively(tree: Store) -> None:
    assert _paths(tree.list_files("", recursive=True, pattern="*.csv")) == [
        "b/1.csv",
        "b/c/3.csv",
        "b/c/d/4.csv",
    ]
    assert _paths(tree.list_files("", recursive=True, pattern="*.CSV")) == []
    assert _paths(tree.list_files("b", pattern="?.txt")) == ["b/2.txt"]
    # the pattern sees only the name, never the folder
    assert _paths(tree.list_files("", recursive=True, pattern="b*")) == []


def test_list_files_missing_folder_is_empty_unless_strict(tree: Store) -> None:
    assert list(tree.list_files("ghost")) == []
    assert list(tree.list_files("ghost", recursive=True)) == []
    with pytest.raises(NotFound):
        list(tree.list_files("ghost", strict=True))
    with pytest.raises(InvalidPath):
        list(tree.list_files("a.txt", strict=True))
    assert _paths(tree.list_files("b", strict=True)) == ["b/1.csv", "b/2.txt"]


def test_list_files_of_a_file_or_under_a_file_is_empty(tree: Store) -> None:
    assert list(tree.list_files("a.txt")) == []
    assert list(tree.list_files("a.txt/below", recursive=True)) == []


def test_list_folders_immediate_and_depth(tree: Store) -> None:
    # folders sort as "name/": "a.d/" < "a/"
    assert _paths(tree.list_folders("")) == ["a.d", "a", "b"]
    assert _paths(tree.list_folders("", max_depth=0)) == ["a.d", "a", "b"]
    deep = _paths(tree.list_folders("", max_depth=1))
    assert deep == ["a.d", "a", "a/z", "b", "b/c"]
    assert deep == sorted(deep, key=lambda p: p + "/")
    assert _paths(tree.list_folders("b", max_depth=5)) == ["b/c", "b/c/d"]
    entry = next(iter(tree.list_folders("b")))
    assert isinstance(entry, FolderEntry)
    assert entry.name == "c"


def test_list_folders_pattern_filters_without_pruning(tree: Store) -> None:
    assert _paths(tree.list_folders("", pattern="d", max_depth=3)) == ["b/c/d"]
    assert _paths(tree.list_folders("", pattern="a*")) == ["a.d", "a"]


def test_list_folders_missing_is_empty(tree: Store) -> None:
    assert list(tree.list_folders("ghost")) == []
    assert list(tree.list_folders("a.txt")) == []


def test_iter_children_mixes_files_and_folders_in_order(tree: Store) -> None:
    children = list(tree.iter_children(""))
    assert _paths(children) == ["a-b.txt", "a.d", "a.txt", "a", "b"]
    kinds = [type(c).__name__ for c in children]
    assert kinds == ["FileInfo", "FolderEntry", "FileInfo", "FolderEntry", "FolderEntry"]
    assert _paths(tree.iter_children("b")) == ["b/1.csv", "b/2.txt", "b/c"]
    assert list(tree.iter_children("ghost")) == []


def test_listing_errors_are_lazy_but_gates_and_checks_are_eager(tree: Store) -> None:
    iterator = tree.list_files("ghost", strict=True)  # no error until iterated
    with pytest.raises(NotFound):
        next(iterator)


def test_empty_folder_listing(store: Store) -> None:
    store.write("e/only.txt", b"x")
    store.delete("e/only.txt")
    assert list(store.list_files("e")) == []
    assert list(store.iter_children("e")) == []


def test_memory_keeps_empty_folders(memory_store: Store) -> None:
    memory_store.write("keep/f.txt", b"x")
    memory_store.delete("keep/f.txt")
    assert memory_store.is_folder("keep")
    assert _paths(memory_store.list_folders("")) == ["keep"]


def test_glob_refused_on_memory(memory_store: Store) -> None:
    from remote_store import CapabilityNotSupported

    with pytest.raises(CapabilityNotSupported) as info:
        memory_store.glob("*.txt")
    assert info.value.capability == "glob"


def test_listing_in_a_child_store_is_rebased(tree: Store) -> None:
    child = tree.child("b")
    assert _paths(child.list_files("", recursive=True)) == [
        "1.csv",
        "2.txt",
        "c/3.csv",
        "c/d/4.csv",
    ]
    assert _paths(child.list_folders("", max_depth=1)) == ["c", "c/d"]
    assert _paths(child.iter_children("c")) == ["c/3.csv", "c/d"]
    assert all(str(e.path) in {"1.csv", "2.txt"} for e in child.list_files(max_depth=0))
    info = child.get_folder_info("c")
    assert (str(info.path), info.file_count) == ("c", 2)
    assert str(child.get_folder_info().path) == "."
    assert str(child.get_folder_info("", max_depth=0).path) == "."
