"""Reads, writes, atomic writes, deletes, moves and copies on both backends."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any, BinaryIO, cast

import pytest
from remote_store import (
    AlreadyExists,
    Capability,
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    RemoteStoreError,
    Store,
    WriteResult,
)


class FailingStream(io.RawIOBase):
    """A content stream that yields some bytes and then fails (a raw stream, which the
    content type does not name: cast to ``BinaryIO`` where it is written)."""

    def __init__(self, good: bytes) -> None:
        self._good = good

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._good:
            chunk, self._good = self._good, b""
            return chunk
        raise OSError(5, "disk on fire")


# -- reads --------------------------------------------------------------------------


def test_read_returns_a_stream_at_position_zero(store: Store) -> None:
    store.write("f.bin", b"0123456789")
    with store.read("f.bin") as stream:
        assert stream.read(4) == b"0123"
        assert stream.read() == b"456789"
        assert stream.read() == b""


def test_read_bytes_and_read_text(store: Store) -> None:
    store.write("t.txt", "héllo".encode())
    assert store.read_bytes("t.txt") == "héllo".encode()
    assert store.read_text("t.txt") == "héllo"
    assert store.read_text("t.txt", encoding="latin-1") == "hÃ©llo"


def test_read_text_decode_error_is_unicode_decode_error(store: Store) -> None:
    store.write("bad.txt", b"\xff\xfe\xfa")
    with pytest.raises(UnicodeDecodeError):
        store.read_text("bad.txt")
    assert store.read_text("bad.txt", errors="replace") == "\ufffd" * 3


def test_read_seekable_seeks(store: Store) -> None:
    store.write("s.bin", b"abcdef")
    with store.read_seekable("s.bin") as stream:
        assert stream.seekable()
        stream.seek(3)
        assert stream.read() == b"def"
        stream.seek(0)
        assert stream.tell() == 0
        assert stream.read(2) == b"ab"


def test_read_stream_supports_readinto_and_readline(store: Store) -> None:
    store.write("lines.txt", b"one\ntwo\n")
    with store.read("lines.txt") as stream:
        assert stream.readline() == b"one\n"
        buffer = bytearray(10)
        count = stream.readinto(buffer)  # type: ignore[attr-defined]
        assert buffer[:count] == b"two\n"


def test_read_stream_close_twice_is_safe(store: Store) -> None:
    store.write("c.txt", b"c")
    stream = store.read("c.txt")
    stream.close()
    stream.close()
    assert stream.closed


@pytest.mark.parametrize("method", ["read", "read_bytes", "read_text", "read_seekable"])
def test_read_missing_file_is_not_found(store: Store, method: str) -> None:
    with pytest.raises(NotFound) as info:
        getattr(store, method)("nope.txt")
    assert info.value.path == "nope.txt"
    assert info.value.backend == store.backend.name


@pytest.mark.parametrize("method", ["read", "read_bytes", "read_seekable", "get_file_info"])
def test_read_a_folder_is_invalid_path(store: Store, method: str) -> None:
    store.write("dir/f.txt", b"x")
    with pytest.raises(InvalidPath):
        getattr(store, method)("dir")


@pytest.mark.parametrize("method", ["read_bytes", "get_file_info"])
def test_read_under_a_file_ancestor_is_not_found(store: Store, method: str) -> None:
    store.write("f.txt", b"x")
    with pytest.raises(NotFound):
        getattr(store, method)("f.txt/child")


# -- writes -------------------------------------------------------------------------


def test_write_creates_file_and_parents_and_returns_result(store: Store) -> None:
    result = store.write("a/b/c.txt", b"hello")
    assert isinstance(result, WriteResult)
    assert result.path == "a/b/c.txt"
    assert result.size == 5
    assert result.source == "native"
    assert isinstance(result.last_modified, datetime)
    assert store.is_folder("a/b")
    assert store.read_bytes("a/b/c.txt") == b"hello"


@pytest.mark.parametrize(
    "make",
    [lambda: bytearray(b"data"), lambda: memoryview(b"data"), lambda: io.BytesIO(b"data")],
    ids=["bytearray", "memoryview", "stream"],
)
def test_write_accepts_bytes_like_and_streams(store: Store, make: Any) -> None:
    assert store.write("x.bin", make()).size == 4
    assert store.read_bytes("x.bin") == b"data"


def test_write_reads_a_stream_from_its_current_position(store: Store) -> None:
    stream = io.BytesIO(b"skipKEEP")
    stream.seek(4)
    assert store.write("pos.bin", stream).size == 4
    assert store.read_bytes("pos.bin") == b"KEEP"


def test_write_empty_file(store: Store) -> None:
    assert store.write("empty", b"").size == 0
    assert store.read_bytes("empty") == b""
    assert store.is_file("empty")


def test_write_existing_without_overwrite_is_already_exists(store: Store) -> None:
    store.write("f.txt", b"old")
    with pytest.raises(AlreadyExists):
        store.write("f.txt", b"new")
    assert store.read_bytes("f.txt") == b"old"


def test_write_with_overwrite_replaces(store: Store) -> None:
    store.write("f.txt", b"old")
    store.write("f.txt", b"newer", overwrite=True)
    assert store.read_bytes("f.txt") == b"newer"


@pytest.mark.parametrize("overwrite", [False, True])
def test_write_onto_a_folder_is_invalid_path(store: Store, snapshot: Any, overwrite: bool) -> None:
    store.write("dir/f.txt", b"x")
    before = snapshot(store)
    with pytest.raises(InvalidPath):
        store.write("dir", b"y", overwrite=overwrite)
    with pytest.raises(InvalidPath):
        store.write_atomic("dir", b"y", overwrite=overwrite)
    assert snapshot(store) == before


def test_write_under_a_file_ancestor_is_invalid_path(store: Store, snapshot: Any) -> None:
    store.write("f.txt", b"x")
    before = snapshot(store)
    with pytest.raises(InvalidPath):
        store.write("f.txt/child.txt", b"y")
    with pytest.raises(InvalidPath):
        store.write("f.txt/deeper/child.txt", b"y", overwrite=True)
    assert snapshot(store) == before


def test_write_text_encodes(store: Store) -> None:
    store.write_text("t.txt", "ça", encoding="latin-1")
    assert store.read_bytes("t.txt") == "ça".encode("latin-1")
    with pytest.raises(AlreadyExists):
        store.write_text("t.txt", "again")
    store.write_text("t.txt", "again", overwrite=True)
    assert store.read_text("t.txt") == "again"


def test_failing_content_stream_leaves_old_file_and_nothing_partial(
    store: Store, snapshot: Any
) -> None:
    store.write("keep.txt", b"old content")
    before = snapshot(store)
    for method in (store.write, store.write_atomic):
        with pytest.raises(RemoteStoreError):
            method("keep.txt", cast(BinaryIO, FailingStream(b"partial")), overwrite=True)
        with pytest.raises(RemoteStoreError):
            method("fresh.txt", cast(BinaryIO, FailingStream(b"partial")))
    assert snapshot(store) == before


def test_failing_content_stream_error_is_classified(store: Store) -> None:
    with pytest.raises(RemoteStoreError) as info:
        store.write("x.txt", cast(BinaryIO, FailingStream(b"p")))
    assert info.value.path == "x.txt"


def test_metadata_refused_without_user_metadata(local_store: Store, snapshot: Any) -> None:
    before = snapshot(local_store)
    with pytest.raises(CapabilityNotSupported) as info:
        local_store.write("m.txt", b"x", metadata={"k": "v"})
    assert info.value.capability == "user_metadata"
    with pytest.raises(CapabilityNotSupported):
        local_store.open_atomic("m.txt", metadata={"k": "v"})
    assert snapshot(local_store) == before


@pytest.mark.parametrize("metadata", [None, {}])
def test_empty_metadata_is_always_allowed(store: Store, metadata: Any) -> None:
    assert store.write("m.txt", b"x", metadata=metadata).size == 1


def test_metadata_round_trips_on_memory(memory_store: Store) -> None:
    result = memory_store.write("m.txt", b"x", metadata={"owner": "ann"})
    assert result.metadata == {"owner": "ann"}
    assert memory_store.get_file_info("m.txt").metadata == {"owner": "ann"}
    memory_store.copy("m.txt", "c.txt")
    assert memory_store.get_file_info("c.txt").metadata == {"owner": "ann"}
    memory_store.move("c.txt", "d.txt")
    assert memory_store.get_file_info("d.txt").metadata == {"owner": "ann"}
    assert memory_store.head("d.txt").metadata == {"owner": "ann"}


# -- atomic writes ------------------------------------------------------------------


def test_write_atomic_creates_replaces_and_refuses(store: Store) -> None:
    result = store.write_atomic("at/f.txt", b"one")
    assert (result.path, result.size) == ("at/f.txt", 3)
    with pytest.raises(AlreadyExists):
        store.write_atomic("at/f.txt", b"two")
    store.write_atomic("at/f.txt", b"three", overwrite=True)
    assert store.read_bytes("at/f.txt") == b"three"


def test_open_atomic_commits_on_clean_exit_and_exposes_result(store: Store) -> None:
    context = store.open_atomic("o/f.txt")
    before_commit = context.result  # (a name of its own: mypy would keep context.result None)
    assert before_commit is None
    with context as sink:
        sink.write(b"part1-")
        sink.write(b"part2")
        assert not store.exists("o/f.txt")  # nothing visible before the commit
    assert store.read_bytes("o/f.txt") == b"part1-part2"
    assert context.result is not None
    assert context.result.path == "o/f.txt"
    assert context.result.size == 11


def test_open_atomic_discards_on_exception(store: Store, snapshot: Any) -> None:
    store.write("o.txt", b"old")
    before = snapshot(store)
    context = store.open_atomic("o.txt", overwrite=True)
    with pytest.raises(KeyError), context as sink:
        sink.write(b"half")
        raise KeyError("boom")
    assert context.result is None
    with pytest.raises(ZeroDivisionError), store.open_atomic("brand-new.txt") as sink:
        sink.write(b"x")
        raise ZeroDivisionError
    assert snapshot(store) == before
    assert store.read_bytes("o.txt") == b"old"


def test_open_atomic_checks_existence_at_entry(store: Store) -> None:
    store.write("exists.txt", b"x")
    context = store.open_atomic("exists.txt")
    with pytest.raises(AlreadyExists):
        context.__enter__()
    with store.open_atomic("exists.txt", overwrite=True) as sink:
        sink.write(b"y")
    assert store.read_bytes("exists.txt") == b"y"


def test_open_atomic_loses_to_a_file_created_during_the_body(store: Store) -> None:
    with pytest.raises(AlreadyExists), store.open_atomic("race.txt") as sink:
        sink.write(b"mine")
        store.write("race.txt", b"theirs")
    assert store.read_bytes("race.txt") == b"theirs"


def test_open_atomic_with_metadata_on_memory(memory_store: Store) -> None:
    with memory_store.open_atomic("m.txt", metadata={"a": "b"}) as sink:
        sink.write(b"x")
    assert memory_store.get_file_info("m.txt").metadata == {"a": "b"}


# -- deletes ------------------------------------------------------------------------


def test_delete_removes_file_and_keeps_siblings(store: Store) -> None:
    store.write("d/a.txt", b"a")
    store.write("d/b.txt", b"b")
    store.delete("d/a.txt")
    assert not store.exists("d/a.txt")
    assert store.read_bytes("d/b.txt") == b"b"


def test_delete_missing(store: Store) -> None:
    with pytest.raises(NotFound):
        store.delete("nope.txt")
    store.delete("nope.txt", missing_ok=True)
    store.delete("no/such/dir/f.txt", missing_ok=True)


@pytest.mark.parametrize("missing_ok", [False, True])
def test_delete_on_a_folder_is_invalid_path_even_with_missing_ok(
    store: Store, snapshot: Any, missing_ok: bool
) -> None:
    store.write("dir/f.txt", b"x")
    before = snapshot(store)
    with pytest.raises(InvalidPath):
        store.delete("dir", missing_ok=missing_ok)
    assert snapshot(store) == before


def test_delete_folder_empty_nonempty_recursive(store: Store) -> None:
    store.write("full/sub/f.txt", b"x")
    with pytest.raises(DirectoryNotEmpty):
        store.delete_folder("full")
    assert store.exists("full/sub/f.txt")
    store.delete("full/sub/f.txt")
    store.delete_folder("full/sub")  # now empty
    assert not store.exists("full/sub")
    store.write("full/again/g.txt", b"g")
    store.delete_folder("full", recursive=True)
    assert not store.exists("full")
    assert list(store.list_files("", recursive=True)) == []


def test_delete_folder_missing_and_on_a_file(store: Store) -> None:
    with pytest.raises(NotFound):
        store.delete_folder("ghost")
    store.delete_folder("ghost", missing_ok=True)
    store.write("file.txt", b"x")
    with pytest.raises(InvalidPath):
        store.delete_folder("file.txt")
    with pytest.raises(InvalidPath):
        store.delete_folder("file.txt", missing_ok=True, recursive=True)
    assert store.exists("file.txt")


# -- move and copy ------------------------------------------------------------------


@pytest.mark.parametrize("op", ["move", "copy"])
def test_move_and_copy_basic(store: Store, op: str) -> None:
    store.write("src.txt", b"payload")
    getattr(store, op)("src.txt", "deep/dst.txt")
    assert store.read_bytes("deep/dst.txt") == b"payload"
    assert store.exists("src.txt") is (op == "copy")


@pytest.mark.parametrize("op", ["move", "copy"])
def test_move_copy_destination_exists(store: Store, op: str) -> None:
    store.write("src.txt", b"new")
    store.write("dst.txt", b"old")
    with pytest.raises(AlreadyExists):
        getattr(store, op)("src.txt", "dst.txt")
    assert store.read_bytes("dst.txt") == b"old"
    assert store.read_bytes("src.txt") == b"new"
    getattr(store, op)("src.txt", "dst.txt", overwrite=True)
    assert store.read_bytes("dst.txt") == b"new"


@pytest.mark.parametrize("op", ["move", "copy"])
def test_move_copy_missing_source_and_folder_source(store: Store, snapshot: Any, op: str) -> None:
    store.write("dir/f.txt", b"x")
    before = snapshot(store)
    with pytest.raises(NotFound):
        getattr(store, op)("ghost.txt", "dst.txt")
    with pytest.raises(InvalidPath):
        getattr(store, op)("dir", "dst.txt")
    with pytest.raises(InvalidPath):
        getattr(store, op)("dir/f.txt", "dir", overwrite=True)
    assert snapshot(store) == before


@pytest.mark.parametrize("op", ["move", "copy"])
def test_move_copy_onto_itself(store: Store, op: str) -> None:
    store.write("same.txt", b"same")
    store.write("dir/f.txt", b"x")
    getattr(store, op)("same.txt", "/same.txt")  # same after normalisation: a no-op
    assert store.read_bytes("same.txt") == b"same"
    with pytest.raises(InvalidPath):
        getattr(store, op)("dir", "dir/")
    with pytest.raises(NotFound):
        getattr(store, op)("ghost", "ghost")


def test_copy_keeps_source_mtime_on_local(local_store: Store) -> None:
    local_store.write("src.txt", b"x")
    import os

    os.utime(local_store.native_path("src.txt"), (1_000_000, 1_000_000))
    local_store.copy("src.txt", "dst.txt")
    assert local_store.get_file_info("dst.txt").modified_at == (
        local_store.get_file_info("src.txt").modified_at
    )


# -- metadata -----------------------------------------------------------------------


def test_get_file_info_and_head(store: Store) -> None:
    store.write("dir/info.txt", b"12345")
    info = store.get_file_info("dir/info.txt")
    assert str(info.path) == "dir/info.txt"
    assert info.name == "info.txt"
    assert info.size == 5
    assert isinstance(info.modified_at, datetime)
    head = store.head("dir/info.txt")
    assert head.source == "sidecar"
    assert head.path == "dir/info.txt"
    assert head.size == 5
    assert head.last_modified == info.modified_at
    assert head.version_id is None
    with pytest.raises(NotFound):
        store.head("missing")
    with pytest.raises(InvalidPath):
        store.head("dir")


def test_get_folder_info_full_and_depth_limited(store: Store, populate: Any) -> None:
    populate(store)
    full = store.get_folder_info("docs")
    assert (str(full.path), full.name, full.file_count, full.total_size) == (
        "docs",
        "docs",
        3,
        6 + 5 + 2,
    )
    assert full.modified_at is not None
    shallow = store.get_folder_info("docs", max_depth=0)
    assert (shallow.file_count, shallow.total_size) == (1, 6)
    one = store.get_folder_info("docs", max_depth=1)
    assert (one.file_count, one.total_size) == (2, 11)
    root = store.get_folder_info()
    assert root.file_count == 5
    assert store.get_folder_info("", max_depth=0).file_count == 1


def test_get_folder_info_missing_and_file(store: Store) -> None:
    store.write("f.txt", b"x")
    for kwargs in ({}, {"max_depth": 2}):
        with pytest.raises(NotFound):
            store.get_folder_info("ghost", **kwargs)
        with pytest.raises(InvalidPath):
            store.get_folder_info("f.txt", **kwargs)


def test_empty_folder_info(store: Store) -> None:
    store.write("e/f.txt", b"x")
    store.delete("e/f.txt")
    if store.is_folder("e"):
        info = store.get_folder_info("e")
        assert (info.file_count, info.total_size, info.modified_at) == (0, 0, None)


# -- queries ------------------------------------------------------------------------


def test_exists_is_file_is_folder(store: Store) -> None:
    store.write("dir/f.txt", b"x")
    assert store.exists("dir/f.txt") and store.is_file("dir/f.txt")
    assert not store.is_folder("dir/f.txt")
    assert store.exists("dir") and store.is_folder("dir") and not store.is_file("dir")
    assert not store.exists("ghost") and not store.is_file("ghost")
    assert not store.is_folder("ghost")


def test_queries_under_a_file_ancestor_are_false(store: Store) -> None:
    store.write("f.txt", b"x")
    assert store.exists("f.txt/below") is False
    assert store.is_file("f.txt/below") is False
    assert store.is_folder("f.txt/below") is False


def test_exists_normalises(store: Store) -> None:
    store.write("a/b.txt", b"x")
    assert store.exists("/a//b.txt")
    assert store.exists("a\\b.txt")
    assert store.exists("./a/./b.txt")


def test_supports_and_capabilities(store: Store) -> None:
    assert store.supports(Capability.READ)
    assert store.supports(Capability.EXCLUSIVE_CREATE)
    expected_missing = {
        "local": Capability.USER_METADATA,
        "memory": Capability.GLOB,
    }[store.backend.name]
    assert not store.supports(expected_missing)
    assert store.capabilities == store.backend.capabilities


def test_ping(store: Store) -> None:
    # a reachable backend answers without raising (and returns None, checked at run time)
    assert store.ping() is None  # type: ignore[func-returns-value]
