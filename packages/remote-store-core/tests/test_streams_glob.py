"""Content helpers, the mapped read stream, and the shared glob translation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from remote_store import NotFound, RemoteStoreError
from remote_store._glob import glob_by_listing, literal_prefix, translate_glob
from remote_store._streams import MappedReader, copy_stream, iter_content, spool
from remote_store.backends import MemoryBackend
from remote_store.errors import InvalidArgument


def test_iter_content_shapes() -> None:
    assert list(iter_content(b"")) == []
    assert list(iter_content(b"ab")) == [b"ab"]
    assert list(iter_content(bytearray(b"ab"))) == [b"ab"]
    assert list(iter_content(memoryview(b""))) == []
    assert list(iter_content(io.BytesIO(b"abcde"), chunk_size=2)) == [b"ab", b"cd", b"e"]
    with pytest.raises(InvalidArgument):
        list(iter_content("text"))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="binary mode"):
        list(iter_content(io.StringIO("text")))  # type: ignore[arg-type]


def test_copy_stream_and_spool() -> None:
    sink = io.BytesIO()
    assert copy_stream(io.BytesIO(b"x" * 10), sink, chunk_size=3) == 10
    assert sink.getvalue() == b"x" * 10
    with spool(b"spooled") as buffer:
        assert buffer.read() == b"spooled"

    class Failing(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise OSError("broken")

    with pytest.raises(OSError, match="broken"):
        spool(Failing())  # type: ignore[arg-type]


def test_mapped_reader_maps_and_forwards() -> None:
    def mapper(exc: BaseException) -> RemoteStoreError:
        return NotFound(type(exc).__name__)

    reader = MappedReader(io.BytesIO(b"line1\nline2"), mapper)
    assert reader.readable() and reader.seekable()
    assert reader.readline() == b"line1\n"
    assert reader.tell() == 6
    assert reader.readall() == b"line2"
    assert reader.seek(0) == 0
    assert reader.getvalue() == b"line1\nline2"  # forwarded
    reader.close()
    reader.close()

    class NoReadinto:
        def __init__(self) -> None:
            self.data = io.BytesIO(b"abc")

        def read(self, size: int = -1) -> bytes:
            return self.data.read(size)

        def seek(self, *args: Any) -> int:
            raise ValueError("cannot seek")

        def close(self) -> None:
            pass

    plain = MappedReader(NoReadinto(), mapper)  # type: ignore[arg-type]
    buffer = bytearray(2)
    assert plain.readinto(buffer) == 2 and buffer == b"ab"
    with pytest.raises(NotFound, match="ValueError"):
        plain.seek(0)
    plain.close()


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("*.csv", ["a.csv"], ["d/a.csv", "a.txt"]),
        ("d/?.csv", ["d/a.csv"], ["d/ab.csv", "a.csv"]),
        ("**/*.csv", ["a.csv", "d/a.csv", "d/e/a.csv"], ["a.txt"]),
        ("d/**", ["d/a", "d/e/f"], ["d", "x/d/a"]),
        ("[ab].txt", ["a.txt", "b.txt"], ["c.txt"]),
        ("[!ab].txt", ["c.txt"], ["a.txt"]),
        ("[]x].txt", ["].txt", "x.txt"], ["a.txt"]),
        ("a[b", ["a[b"], ["ab"]),
        ("a+b.(c)", ["a+b.(c)"], ["aab.c"]),
    ],
)
def test_translate_glob(pattern: str, matches: list[str], misses: list[str]) -> None:
    regex = translate_glob(pattern)
    for key in matches:
        assert regex.match(key), key
    for key in misses:
        assert not regex.match(key), key


@pytest.mark.parametrize("pattern", ["**x", "a**", "a/**b/c"])
def test_double_star_must_be_a_whole_segment(pattern: str) -> None:
    with pytest.raises(InvalidArgument):
        translate_glob(pattern)


def test_literal_prefix() -> None:
    assert literal_prefix("a/b/*.csv") == ("a/b", False)
    assert literal_prefix("a/**/x") == ("a", True)
    assert literal_prefix("a/*/x") == ("a", True)
    assert literal_prefix("plain/file.txt") == ("plain", False)
    assert literal_prefix("*.txt") == ("", False)


def test_glob_by_listing_on_memory() -> None:
    backend = MemoryBackend()
    for key in ["a.csv", "d/b.csv", "d/e/c.csv", "d/x.txt"]:
        backend.write(key, b"1")
    assert [str(f.path) for f in glob_by_listing(backend, "d/**/*.csv")] == [
        "d/b.csv",
        "d/e/c.csv",
    ]
    assert list(glob_by_listing(backend, "ghost/*.csv")) == []
    assert [str(f.path) for f in glob_by_listing(backend, "d/x.txt")] == ["d/x.txt"]
