"""Store behaviour on both servers: reads, writes, listings, errors, atomicity."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any, BinaryIO, cast

import pytest
from remote_store import Store
from remote_store.errors import AlreadyExists, DirectoryNotEmpty, InvalidPath, NotFound
from remote_store_sftp import SFTPBackend

from .conftest import SSHServer

Make = Callable[..., SFTPBackend]


def _temps(local: str) -> list[str]:
    return [n for _, _, files in os.walk(local) for n in files if n.startswith(".~tmp.")]


def test_write_read_roundtrip(make_backend: Make) -> None:
    store = Store(make_backend())
    result = store.write("a/b/c.txt", b"hello")
    assert result.size == 5
    assert store.read_bytes("a/b/c.txt") == b"hello"
    with store.read("a/b/c.txt") as stream:
        assert stream.read(2) == b"he"
        assert stream.read() == b"llo"
    info = store.get_file_info("a/b/c.txt")
    assert (info.size, info.name) == (5, "c.txt")
    assert info.modified_at is not None


def test_create_only_refuses_and_keeps_old(make_backend: Make, server: SSHServer) -> None:
    store = Store(make_backend())
    store.write("f.txt", b"old")
    with pytest.raises(AlreadyExists):
        store.write("f.txt", b"new")
    with pytest.raises(AlreadyExists):
        store.write_atomic("f.txt", io.BytesIO(b"new"))
    assert store.read_bytes("f.txt") == b"old"
    store.write("f.txt", b"new", overwrite=True)
    assert store.read_bytes("f.txt") == b"new"


def test_create_only_with_o_excl_claim(make_backend: Make) -> None:
    """The fallback for servers without hardlink@openssh.com: an O_EXCL claim."""
    backend = make_backend()
    backend._hardlink = False
    store = Store(backend)
    store.write("f.txt", b"one")
    with pytest.raises(AlreadyExists):
        store.write("f.txt", b"two")
    assert store.read_bytes("f.txt") == b"one"
    store.write("d/x", b"1")
    with pytest.raises(InvalidPath):
        store.write("d", b"2")


def test_no_temp_left_after_failing_stream(make_backend: Make, server: SSHServer) -> None:
    local, base = server.new_folder()
    store = Store(make_backend(base_path=base))
    store.write("f.bin", b"old")

    class Boom(io.RawIOBase):
        sent = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            if self.sent > 3 * 1024 * 1024:
                raise RuntimeError("source failed")
            self.sent += len(buffer)
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    with pytest.raises(Exception) as caught:
        store.write("f.bin", cast(BinaryIO, Boom()), overwrite=True)
    assert "source failed" in str(caught.value.__cause__)
    with pytest.raises(RuntimeError):
        with store.open_atomic("f.bin", overwrite=True) as out:
            out.write(b"partial")
            raise RuntimeError("body failed")
    assert store.read_bytes("f.bin") == b"old"
    assert _temps(local) == []


def test_open_atomic_commits(make_backend: Make, server: SSHServer) -> None:
    local, base = server.new_folder()
    store = Store(make_backend(base_path=base))
    ctx = store.open_atomic("x/y.bin")
    with ctx as out:
        out.write(b"abc")
        out.write(b"def")
        assert not store.exists("x/y.bin")
    assert ctx.result is not None and ctx.result.size == 6
    assert store.read_bytes("x/y.bin") == b"abcdef"
    with pytest.raises(AlreadyExists):
        with store.open_atomic("x/y.bin") as out:
            out.write(b"zzz")
    assert _temps(local) == []


def test_listing_order_and_hidden_temps(make_backend: Make, server: SSHServer) -> None:
    local, base = server.new_folder()
    store = Store(make_backend(base_path=base))
    for key in ["a.txt", "a/b.txt", "a-b.txt", "a/c/d.txt", "b.txt"]:
        store.write(key, b"1")
    with open(os.path.join(local, ".~tmp.a.txt.0123abcd"), "wb") as handle:
        handle.write(b"x")
    files = [str(f.path) for f in store.list_files("", recursive=True)]
    assert files == ["a-b.txt", "a.txt", "a/b.txt", "a/c/d.txt", "b.txt"]
    assert [str(f.path) for f in store.list_files("")] == ["a-b.txt", "a.txt", "b.txt"]
    children = [str(c.path) for c in store.iter_children("")]
    assert children == ["a-b.txt", "a.txt", "a", "b.txt"]
    assert [f.name for f in store.list_folders("a")] == ["c"]
    assert list(store.list_files("missing")) == []
    assert sorted(str(f.path) for f in store.glob("a/**/*.txt")) == ["a/b.txt", "a/c/d.txt"]


def test_errors(make_backend: Make) -> None:
    store = Store(make_backend())
    store.write("d/f.txt", b"1")
    with pytest.raises(NotFound):
        store.read_bytes("nope")
    with pytest.raises(NotFound):
        store.get_file_info("nope")
    with pytest.raises(InvalidPath):
        store.read_bytes("d")
    with pytest.raises(InvalidPath):
        store.delete("d")
    with pytest.raises(InvalidPath):
        store.write("d/f.txt/g", b"1")
    with pytest.raises(DirectoryNotEmpty):
        store.delete_folder("d")
    with pytest.raises(NotFound):
        store.delete("nope")
    store.delete("nope", missing_ok=True)
    store.delete_folder("d", recursive=True)
    assert not store.exists("d")


def test_copy_and_move(make_backend: Make) -> None:
    backend = make_backend()
    store = Store(backend)
    store.write("src.bin", os.urandom(300_000))
    data = store.read_bytes("src.bin")
    store.copy("src.bin", "c/copy.bin")
    assert store.read_bytes("c/copy.bin") == data
    with pytest.raises(AlreadyExists):
        store.copy("src.bin", "c/copy.bin")
    backend._copy_data = False  # the streamed fallback
    store.copy("src.bin", "c/copy2.bin")
    assert store.read_bytes("c/copy2.bin") == data
    store.move("c/copy.bin", "m/moved.bin")
    assert not store.exists("c/copy.bin")
    assert store.read_bytes("m/moved.bin") == data
    with pytest.raises(AlreadyExists):
        store.move("c/copy2.bin", "m/moved.bin")
    store.move("c/copy2.bin", "m/moved.bin", overwrite=True)
    assert not store.exists("c/copy2.bin")


def test_seek_and_ranged_read(make_backend: Make) -> None:
    store = Store(make_backend())
    payload = os.urandom(1_000_000)
    store.write("big.bin", payload)
    with store.read_seekable("big.bin") as stream:
        stream.seek(500_000)
        assert stream.read(10) == payload[500_000:500_010]
        stream.seek(-5, io.SEEK_END)
        assert stream.read() == payload[-5:]


def test_a_server_without_posix_rename_or_hardlink_still_publishes_whole_files(
    sftpv3_server: SSHServer,
) -> None:
    local, base_path = sftpv3_server.new_folder()
    with Store(sftpv3_server.backend(base_path)) as store:
        store.write("f.txt", b"one")
        with pytest.raises(AlreadyExists):
            store.write("f.txt", b"two")
        store.write("f.txt", b"three", overwrite=True)  # remove + rename (not atomic)
        assert store.read_bytes("f.txt") == b"three"
        store.write("g.txt", b"g")
        store.move("g.txt", "f.txt", overwrite=True)
        assert store.read_bytes("f.txt") == b"g"
        assert not store.exists("g.txt")
        store.write("h.txt", b"h")
        with pytest.raises(AlreadyExists):
            store.move("h.txt", "f.txt")
        store.move("h.txt", "i.txt")
        assert store.read_bytes("i.txt") == b"h"
        assert store.read_bytes("f.txt") == b"g"
    assert sorted(os.listdir(local)) == ["f.txt", "i.txt"]  # no temporary file left
