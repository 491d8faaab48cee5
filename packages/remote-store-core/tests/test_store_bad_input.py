"""Bad input on every Store method, on both backends: a typed error and no change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from remote_store import InvalidPath, Store
from remote_store.errors import InvalidArgument, InvalidMetadata


def _drain(value: Any) -> Any:
    if hasattr(value, "__next__"):
        return list(value)
    if hasattr(value, "__enter__") and not hasattr(value, "read"):
        with value as sink:
            sink.write(b"x")
    return value


FILE_METHODS: dict[str, Callable[[Store, Any], Any]] = {
    "read": lambda s, p: s.read(p),
    "read_bytes": lambda s, p: s.read_bytes(p),
    "read_text": lambda s, p: s.read_text(p),
    "read_seekable": lambda s, p: s.read_seekable(p),
    "write": lambda s, p: s.write(p, b"new", overwrite=True),
    "write_text": lambda s, p: s.write_text(p, "new", overwrite=True),
    "write_atomic": lambda s, p: s.write_atomic(p, b"new", overwrite=True),
    "open_atomic": lambda s, p: s.open_atomic(p, overwrite=True),
    "delete": lambda s, p: s.delete(p, missing_ok=True),
    "get_file_info": lambda s, p: s.get_file_info(p),
    "head": lambda s, p: s.head(p),
    "move_src": lambda s, p: s.move(p, "moved.txt"),
    "move_dst": lambda s, p: s.move("a.txt", p, overwrite=True),
    "copy_src": lambda s, p: s.copy(p, "copied.txt"),
    "copy_dst": lambda s, p: s.copy("a.txt", p, overwrite=True),
    "child": lambda s, p: s.child(p),
}

FOLDER_METHODS: dict[str, Callable[[Store, Any], Any]] = {
    "exists": lambda s, p: s.exists(p),
    "is_file": lambda s, p: s.is_file(p),
    "is_folder": lambda s, p: s.is_folder(p),
    "list_files": lambda s, p: s.list_files(p, recursive=True),
    "list_folders": lambda s, p: s.list_folders(p),
    "iter_children": lambda s, p: s.iter_children(p),
    "get_folder_info": lambda s, p: s.get_folder_info(p),
    "get_folder_info_depth": lambda s, p: s.get_folder_info(p, max_depth=1),
    "delete_folder": lambda s, p: s.delete_folder(p, recursive=True, missing_ok=True),
    "native_path": lambda s, p: s.native_path(p),
    "resolve": lambda s, p: s.resolve(p),
}

ALL_METHODS = {**FILE_METHODS, **FOLDER_METHODS}

MALFORMED = [
    "..",
    "a/../b",
    "docs/..",
    "../outside.txt",
    "a\x00b",
    "\x00",
    "a\x01b",
    "line\nbreak",
    "del\x7f",
    "/",
    "//",
    "./",
    "/./",
]
WRONG_TYPES = [1, None, b"a.txt", 2.0, ["a"]]


@pytest.mark.parametrize("method", sorted(ALL_METHODS))
@pytest.mark.parametrize("path", MALFORMED, ids=repr)
def test_malformed_path_is_invalid_path_and_changes_nothing(
    populate: Any, snapshot: Any, store: Store, method: str, path: str
) -> None:
    populate(store)
    before = snapshot(store)
    with pytest.raises(InvalidPath):
        _drain(ALL_METHODS[method](store, path))
    assert snapshot(store) == before


@pytest.mark.parametrize("method", sorted(ALL_METHODS))
@pytest.mark.parametrize("path", WRONG_TYPES, ids=repr)
def test_wrong_path_type_is_invalid_path_and_changes_nothing(
    populate: Any, snapshot: Any, store: Store, method: str, path: object
) -> None:
    populate(store)
    before = snapshot(store)
    with pytest.raises(InvalidPath, match="must be a str"):
        _drain(ALL_METHODS[method](store, path))
    assert snapshot(store) == before


@pytest.mark.parametrize("method", sorted(FILE_METHODS))
@pytest.mark.parametrize("path", ["", "."])
def test_root_spelling_is_refused_by_file_methods(
    populate: Any, snapshot: Any, store: Store, method: str, path: str
) -> None:
    populate(store)
    before = snapshot(store)
    with pytest.raises(InvalidPath, match="root"):
        _drain(FILE_METHODS[method](store, path))
    assert snapshot(store) == before


@pytest.mark.parametrize("path", ["", "."])
def test_root_spelling_is_the_root_for_folder_queries(
    populate: Any, snapshot: Any, store: Store, path: str
) -> None:
    populate(store)
    assert store.exists(path) is True
    assert store.is_folder(path) is True
    assert store.is_file(path) is False
    assert [str(f.path) for f in store.list_files(path)] == ["a.txt"]
    assert store.get_folder_info(path).file_count == 5


@pytest.mark.parametrize("path", ["", ".", "/"])
def test_delete_folder_of_root_is_refused(
    populate: Any, snapshot: Any, store: Store, path: str
) -> None:
    populate(store)
    before = snapshot(store)
    with pytest.raises(InvalidPath):
        store.delete_folder(path, recursive=True, missing_ok=True)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "metadata",
    [
        {"k": 1},
        {1: "v"},
        {"": "v"},
        {"_private": "v"},
        {"clé": "v"},
        {"k": "v" * 2048},
        {f"k{i}": "v" * 100 for i in range(25)},
        ["not", "a", "mapping"],
        "k=v",
    ],
    ids=repr,
)
@pytest.mark.parametrize("method", ["write", "write_text", "write_atomic", "open_atomic"])
def test_ill_formed_metadata_is_refused_before_any_io(
    populate: Any, snapshot: Any, store: Store, metadata: Any, method: str
) -> None:
    populate(store)
    before = snapshot(store)
    with pytest.raises(InvalidMetadata) as info:
        if method == "write":
            store.write("new.txt", b"x", metadata=metadata)
        elif method == "write_text":
            store.write_text("new.txt", "x", metadata=metadata)
        elif method == "write_atomic":
            store.write_atomic("new.txt", b"x", metadata=metadata)
        else:
            store.open_atomic("new.txt", metadata=metadata)
    assert isinstance(info.value, ValueError)  # catchable the 0.27 way
    assert snapshot(store) == before


def test_metadata_at_the_size_limit_is_accepted_on_memory(memory_store: Store) -> None:
    metadata = {"k": "v" * 2047}  # 1 + 2047 bytes = 2048
    result = memory_store.write("m.txt", b"x", metadata=metadata)
    assert result.metadata == metadata
    assert memory_store.get_file_info("m.txt").metadata == metadata


@pytest.mark.parametrize("content", ["text", 12, None, [b"a"]], ids=repr)
def test_non_binary_content_is_invalid_argument(
    populate: Any, snapshot: Any, store: Store, content: Any
) -> None:
    populate(store)
    before = snapshot(store)
    with pytest.raises(InvalidArgument):
        store.write("new.txt", content)
    with pytest.raises(InvalidArgument):
        store.write_atomic("new.txt", content)
    assert snapshot(store) == before


@pytest.mark.parametrize("max_depth", [-1, -5, 1.5, "2", True])
def test_bad_max_depth_is_invalid_argument_before_the_gate(store: Store, max_depth: Any) -> None:
    with pytest.raises(InvalidArgument) as info:
        store.list_files("", max_depth=max_depth)
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidArgument):
        store.list_folders("", max_depth=max_depth)
    with pytest.raises(InvalidArgument):
        store.get_folder_info("", max_depth=max_depth)


@pytest.mark.parametrize("pattern", ["", "../x", "a/../*", "a\x00*", 3, None])
def test_bad_glob_pattern_is_refused(local_store: Store, pattern: Any) -> None:
    with pytest.raises((InvalidPath, InvalidArgument)):
        list(local_store.glob(pattern))


@pytest.mark.parametrize("root", ["..", "a/../b", "a\x00", 5])
def test_bad_store_root_is_invalid_path(root: Any) -> None:
    from remote_store.backends import MemoryBackend

    with pytest.raises(InvalidPath):
        Store(MemoryBackend(), root_path=root)


def test_non_backend_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        Store(object())  # type: ignore[arg-type]
