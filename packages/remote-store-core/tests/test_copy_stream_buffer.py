"""copy_stream holds one chunk at a time: memory stays one chunk, the bytes stay exact."""

from __future__ import annotations

import io
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from remote_store import Store
from remote_store._streams import CHUNK_SIZE, copy_stream, iter_content
from remote_store.backends import LocalBackend

MIB = 1024 * 1024


def _pattern(size: int) -> bytes:
    block = os.urandom(64 * 1024 + 7)  # not a divisor of the chunk: chunk edges move
    return (block * (size // len(block) + 1))[:size]


class ReadOnlyRaw(io.RawIOBase):
    """A raw stream that defines only read() (no buffering, no readinto of its own)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


class ShortReads(ReadOnlyRaw):
    """Returns at most 1,000 bytes per read, as a socket or a pipe may."""

    def read(self, size: int = -1) -> bytes:
        return super().read(1000 if size < 0 else min(size, 1000))


class ByteArrayReads(ReadOnlyRaw):
    """Returns a bytearray per read (a bytes-like chunk the copy must not keep)."""

    def read(self, size: int = -1) -> bytes:
        return bytearray(super().read(size))  # type: ignore[return-value]


def _traced_peak(run: Any) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_file_source_is_copied_byte_for_byte(tmp_path: Path) -> None:
    data = _pattern(3 * MIB + 123)
    source_path = tmp_path / "source.bin"
    source_path.write_bytes(data)
    with source_path.open("rb") as source, (tmp_path / "copy.bin").open("wb") as sink:
        assert copy_stream(source, sink) == len(data)
    assert (tmp_path / "copy.bin").read_bytes() == data


@pytest.mark.parametrize(
    "make_source",
    [
        pytest.param(io.BytesIO, id="BytesIO"),
        pytest.param(ReadOnlyRaw, id="raw-with-read-only"),
        pytest.param(lambda data: io.BufferedReader(io.BytesIO(data)), id="buffered"),
        pytest.param(ShortReads, id="short-reads"),
        pytest.param(ByteArrayReads, id="bytearray-chunks"),
        pytest.param(bytearray, id="bytearray-content"),
        pytest.param(memoryview, id="memoryview-content"),
    ],
)
def test_every_readable_source_gives_the_same_bytes(make_source: Any) -> None:
    data = _pattern(CHUNK_SIZE * 2 + 5)
    sink = io.BytesIO()
    assert copy_stream(make_source(data), sink, chunk_size=300_000) == len(data)
    assert sink.getvalue() == data


def test_chunks_kept_by_a_consumer_stay_intact() -> None:
    data = _pattern(1_000_003)
    chunks = list(iter_content(ByteArrayReads(data), chunk_size=4096))  # type: ignore[arg-type]
    assert b"".join(chunks) == data
    assert all(type(chunk) is bytes for chunk in chunks)


def test_a_source_is_read_from_its_current_position() -> None:
    source = io.BytesIO(b"0123456789")
    source.seek(4)
    sink = io.BytesIO()
    assert copy_stream(source, sink) == 6
    assert sink.getvalue() == b"456789"


def test_an_empty_source_copies_nothing() -> None:
    sink = io.BytesIO()
    assert copy_stream(io.BytesIO(b""), sink) == 0
    assert sink.getvalue() == b""


@pytest.mark.parametrize("buffering", [0, -1, MIB], ids=["raw", "default-buffer", "1MiB-buffer"])
def test_copying_a_file_holds_one_chunk_at_a_time(tmp_path: Path, buffering: int) -> None:
    source_path = tmp_path / "big.bin"
    source_path.write_bytes(_pattern(16 * MIB))
    with source_path.open("rb", buffering=buffering) as source, open(os.devnull, "wb") as sink:
        peak = _traced_peak(lambda: copy_stream(source, sink))
    # two chunks alive (the one written and the one being read) would trace 2 MiB
    assert peak < CHUNK_SIZE * 1.5, peak


def test_a_local_store_write_of_a_file_holds_one_chunk(tmp_path: Path) -> None:
    store = Store(LocalBackend(root=str(tmp_path / "root")))
    source_path = tmp_path / "big.bin"
    data = _pattern(8 * MIB)
    source_path.write_bytes(data)
    with source_path.open("rb") as source:
        peak = _traced_peak(lambda: store.write("copied.bin", source))
    assert peak < CHUNK_SIZE * 1.5, peak
    assert store.read_bytes("copied.bin") == data
