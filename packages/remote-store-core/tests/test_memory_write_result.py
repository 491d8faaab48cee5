"""The memory backend's write results and file records: the time is taken as a
``time.time_ns()`` stamp and turned into a ``datetime`` only when read; what callers see
(values, equality, hashing, pickling, repr) is the same as a result built by hand."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import UTC, datetime

from remote_store import FileInfo, RemotePath, Store, WriteResult
from remote_store.backends import MemoryBackend
from remote_store.backends._memory import _File


def test_last_modified_is_an_aware_datetime_matching_the_file_info() -> None:
    store = Store(MemoryBackend())
    before = datetime.now(UTC).replace(microsecond=0)
    result = store.write("a/b.txt", b"data", metadata={"k": "v"})
    after = datetime.now(UTC)
    stamp = result.last_modified
    assert isinstance(stamp, datetime)
    assert stamp.tzinfo is UTC
    assert before <= stamp <= after
    assert result.last_modified is stamp  # built once, then kept
    assert store.get_file_info("a/b.txt").modified_at == stamp
    assert store.write("a/b.txt", b"more", overwrite=True).last_modified >= stamp  # type: ignore[operator]


def test_a_result_behaves_as_one_built_by_hand() -> None:
    result = Store(MemoryBackend()).write("x.bin", b"12345")
    same = WriteResult("x.bin", 5, "native", None, result.etag, None, result.last_modified, None)
    fresh = Store(MemoryBackend()).write("x.bin", b"12345")
    assert result == same and hash(result) == hash(same)
    assert repr(result) == repr(same)
    assert "datetime.datetime(" in repr(fresh)
    assert pickle.loads(pickle.dumps(fresh)) == fresh
    assert copy.deepcopy(fresh) == fresh
    assert dataclasses.asdict(fresh)["last_modified"] == fresh.last_modified
    assert dataclasses.replace(fresh, size=9).last_modified == fresh.last_modified


def test_conditional_write_and_copy_stamp_their_results() -> None:
    store = Store(MemoryBackend())
    first = store.write("f", b"1")
    second = store.write("f", b"2", if_match=first.etag)
    assert isinstance(second.last_modified, datetime)
    assert second.etag != first.etag
    store.copy("f", "g")
    assert store.get_file_info("g").modified_at >= second.last_modified  # type: ignore[operator]


def test_a_backend_pickled_by_an_older_version_still_loads() -> None:
    """Older pickles hold ``_File`` records with a ``datetime`` and an ``int`` tag."""
    when = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    backend = MemoryBackend.__new__(MemoryBackend)
    backend.__setstate__(
        {
            "files": {"a/f": tuple.__new__(_File, (b"old", when, None, 7))},
            "folders": {"": {"a"}, "a": {"f"}},
        }
    )
    store = Store(backend)
    info = store.get_file_info("a/f")
    assert (info.modified_at, info.etag, store.read_bytes("a/f")) == (when, "7", b"old")
    assert int(store.write("a/g", b"new").etag or 0) > 7


def test_a_file_info_behaves_as_one_built_by_hand() -> None:
    """``get_file_info`` defers the time too: a fresh info (time unread) reprs, pickles,
    compares and copies as one built by hand with the same values."""
    store = Store(MemoryBackend())
    written = store.write("d/x.bin", b"12345", metadata={"k": "v"})
    fresh = store.get_file_info("d/x.bin")
    same = FileInfo(
        RemotePath("d/x.bin"),
        "x.bin",
        5,
        written.last_modified,
        None,
        written.etag,
        None,
        {"k": "v"},
    )
    assert repr(fresh) == repr(same)
    again = store.get_file_info("d/x.bin")
    assert pickle.loads(pickle.dumps(again)).modified_at == written.last_modified
    assert dataclasses.asdict(store.get_file_info("d/x.bin")) == dataclasses.asdict(same)
    assert store.get_file_info("d/x.bin").modified_at is not None
    listed = next(iter(store.list_files("d")))
    assert (listed.modified_at, listed.metadata) == (written.last_modified, {"k": "v"})


def test_the_etag_is_a_str_matching_the_file_info_before_and_after_reads() -> None:
    """The version counter goes into the result as an ``int`` and reads as its ``str``:
    a result whose etag nobody read yet still compares, hashes, reprs, pickles and
    replaces as one built by hand with the ``str``."""
    store = Store(MemoryBackend())
    results = [store.write(f"e/{i}", b"x" * i) for i in range(3)]
    tags = [store.get_file_info(f"e/{i}").etag for i in range(3)]
    fresh = store.write("e/fresh", b"abc")
    tag = store.get_file_info("e/fresh").etag
    assert isinstance(tag, str) and tag.isdigit()
    by_hand = WriteResult("e/fresh", 3, "native", None, tag, None, fresh.last_modified, None)
    assert repr(fresh) == repr(by_hand)  # repr first: the etag has not been read yet
    untouched = store.write("e/u", b"u")
    assert pickle.loads(pickle.dumps(untouched)).etag == store.get_file_info("e/u").etag
    replaced = dataclasses.replace(store.write("e/r", b"r"), size=1)
    assert replaced.etag == store.get_file_info("e/r").etag
    assert fresh == by_hand and hash(fresh) == hash(by_hand)
    assert [r.etag for r in results] == tags
    assert all(type(r.etag) is str for r in results)
    assert len(set(tags)) == 3  # every write has its own version
    match store.write("e/m", b"m"):
        case WriteResult(etag=str() as matched):
            assert matched == store.get_file_info("e/m").etag
        case _:
            raise AssertionError("the etag does not match as a str")
