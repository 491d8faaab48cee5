"""ext.streams: progress and checksum wrappers, and the progress-bar adapters."""

from __future__ import annotations

import hashlib
import io
import sys

import pytest
from remote_store import Store
from remote_store.errors import InvalidArgument
from remote_store.ext.streams import (
    ChecksumReader,
    ChecksumWriter,
    ProgressReader,
    ProgressWriter,
    read_with_progress,
    rich_progress,
    tqdm_progress,
)


def test_progress_reader_reports_each_read_and_skips_empty() -> None:
    calls: list[int] = []
    reader = ProgressReader(io.BytesIO(b"x" * 10), calls.append)
    assert reader.read(4) == b"xxxx"
    assert reader.read() == b"x" * 6
    assert reader.read() == b""
    assert calls == [4, 6]
    assert reader.bytes_read == 10


def test_progress_reader_readinto_and_iteration() -> None:
    calls: list[int] = []
    reader = ProgressReader(io.BytesIO(b"a\nb\n"), calls.append)
    assert list(reader) == [b"a\n", b"b\n"]
    assert sum(calls) == 4


def test_progress_writer() -> None:
    sink = io.BytesIO()
    calls: list[int] = []
    with ProgressWriter(sink, calls.append) as writer:
        writer.write(b"abc")
        writer.write(b"")
        writer.write(memoryview(b"de"))
        assert sink.getvalue() == b"abcde"
    assert calls == [3, 2]
    assert sink.closed


def test_checksum_reader_and_writer() -> None:
    data = b"hello world" * 1000
    reader = ChecksumReader(io.BytesIO(data), "md5")
    while reader.read(777):
        pass
    assert reader.algorithm == "md5"
    assert reader.hexdigest() == hashlib.md5(data).hexdigest()
    writer = ChecksumWriter(io.BytesIO())
    writer.write(data)
    assert writer.hexdigest() == hashlib.sha256(data).hexdigest()
    assert writer.size == len(data)


def test_read_with_progress(store: Store) -> None:
    store.write("f.bin", b"z" * 5000)
    calls: list[int] = []
    with read_with_progress(store, "f.bin", calls.append) as stream:
        assert stream.read() == b"z" * 5000
    assert sum(calls) == 5000


@pytest.mark.parametrize(
    "make",
    [
        lambda: ProgressReader(io.BytesIO(), "nope"),  # type: ignore[arg-type]
        lambda: ChecksumReader(io.BytesIO(), "nope-hash"),
        lambda: ProgressReader(42, print),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments(make: object) -> None:
    with pytest.raises(InvalidArgument):
        make()  # type: ignore[operator]


def test_tqdm_adapter_counts_bytes(store: Store) -> None:
    store.write("f.bin", b"q" * 3000)
    sink = io.StringIO()
    with tqdm_progress(total=3000, description="dl", file=sink) as advance:
        with read_with_progress(store, "f.bin", advance) as stream:
            while stream.read(1000):
                pass
    assert "3.00k" in sink.getvalue() or "2.93k" in sink.getvalue()


def test_rich_adapter_counts_bytes() -> None:
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=False, width=100)
    with rich_progress(total=2048, description="upload", console=console) as advance:
        reader = ProgressReader(io.BytesIO(b"r" * 2048), advance)
        reader.read()
    assert "upload" in console.file.getvalue()  # type: ignore[attr-defined]
    assert "2.0/2.0 kB" in console.file.getvalue()  # type: ignore[attr-defined]


def test_missing_library_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(ModuleNotFoundError, match="pip install tqdm"):
        with tqdm_progress(total=1):
            pass
