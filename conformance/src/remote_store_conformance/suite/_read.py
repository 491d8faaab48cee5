"""Rules of reading (``READ`` and the read quality flags)."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from remote_store import Capability
from remote_store.errors import InvalidPath, NotFound

from remote_store_conformance._helpers import PatternStream
from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import FolderSemantics, Seed
from remote_store_conformance.suite._data import TREE

__all__ = ["ReadRules"]


class ReadRules:
    """Reads return readable streams at position 0 and typed errors."""

    @rule(Capability.READ)
    def test_read_returns_a_stream_at_the_start(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        with store.read("b/c.txt") as stream:
            assert stream.readable()
            assert stream.read() == b"charlie"

    @rule(Capability.READ)
    def test_read_in_chunks_reassembles_the_content(self, rs_seed: Seed) -> None:
        data = bytes(range(256)) * 40
        store = rs_seed({"blob.bin": data})
        parts = []
        with store.read("blob.bin") as stream:
            while chunk := stream.read(1000):
                assert len(chunk) <= 1000
                parts.append(chunk)
        assert b"".join(parts) == data

    @rule(Capability.READ)
    def test_read_at_end_of_file_returns_empty_bytes(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        with store.read("a.txt") as stream:
            stream.read()
            assert stream.read() == b""
            assert stream.read(10) == b""

    @rule(Capability.READ)
    def test_read_stream_closes_twice_safely(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        stream = store.read("a.txt")
        with stream:
            assert stream.read(2) == b"al"
        stream.close()
        assert stream.closed

    @rule(Capability.READ)
    def test_read_of_an_empty_file_returns_no_bytes(self, rs_seed: Seed) -> None:
        store = rs_seed({"empty.bin": b""})
        assert store.read_bytes("empty.bin") == b""

    @rule(Capability.READ)
    def test_read_bytes_and_read_text_return_the_content(self, rs_seed: Seed) -> None:
        store = rs_seed({"text/hello.txt": "grüße\n".encode()})
        assert store.read_bytes("text/hello.txt") == "grüße\n".encode()
        assert store.read_text("text/hello.txt") == "grüße\n"

    @rule(Capability.READ)
    def test_read_of_a_missing_file_raises_not_found(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        with pytest.raises(NotFound):
            with store.read("missing.txt") as stream:  # a lazy stream may fail on read
                stream.read()
        with pytest.raises(NotFound):
            store.read_bytes("b/missing.txt")

    @rule(Capability.READ, Capability.LIST)  # folders are observable only by listing
    def test_read_of_a_folder_raises_invalid_path(
        self, rs_seed: Seed, rs_folders: FolderSemantics
    ) -> None:
        store = rs_seed(TREE)
        # a flat store has no folder object, so a folder name is simply not a file
        expected = InvalidPath if rs_folders.keeps_empty_folders else (InvalidPath, NotFound)
        with pytest.raises(expected):
            store.read_bytes("b/d")

    @rule(Capability.READ)
    def test_read_below_a_file_raises_not_found(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        with pytest.raises((NotFound, InvalidPath)):
            store.read_bytes("a.txt/inner")

    @rule(Capability.READ)
    def test_read_seekable_returns_a_stream_that_seeks(self, rs_seed: Seed) -> None:
        store = rs_seed({"seek.bin": b"0123456789"})
        with store.read_seekable("seek.bin") as stream:
            assert stream.seekable()
            stream.seek(4)
            assert stream.read(3) == b"456"
            stream.seek(-2, io.SEEK_END)
            assert stream.read() == b"89"

    @rule(Capability.SEEKABLE_READ, Capability.READ)
    def test_read_is_seekable_when_seekable_read_is_declared(self, rs_seed: Seed) -> None:
        store = rs_seed({"seek.bin": b"0123456789"})
        with store.read("seek.bin") as stream:
            assert stream.seekable()
            stream.seek(7)
            assert stream.read() == b"789"
            stream.seek(0)
            assert stream.read(2) == b"01"

    @rule(Capability.LAZY_READ, Capability.READ)
    def test_read_is_lazy_when_lazy_read_is_declared(self, rs_seed: Seed) -> None:
        size = 16 * 1024 * 1024
        store = rs_seed({"lazy.bin": PatternStream(size).readall()})
        tracemalloc.start()
        try:
            stream = store.read("lazy.bin")
            try:
                first = stream.read(1024)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                stream.close()
        finally:
            tracemalloc.stop()
        assert first == PatternStream.expected_chunk(0, 1024)
        assert peak < size // 4, f"opening a lazy read allocated {peak} bytes"
