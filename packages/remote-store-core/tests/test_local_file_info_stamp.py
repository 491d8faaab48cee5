"""The local backend's file infos keep the modification time as the stat's nanosecond
stamp and make the ``datetime`` on first read; what callers see (values, equality,
hashing, pickling, repr, the dataclass functions) is the same as an info built by hand,
and the time agrees with the write's result and with the file system."""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from remote_store import FileInfo, RemotePath, Store
from remote_store.backends import LocalBackend


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(LocalBackend(root=str(tmp_path)))


def _expected(native: Path) -> datetime:
    """The stat's time truncated to the microsecond (never rounded up past the file)."""
    ns = os.stat(native).st_mtime_ns
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=ns // 1000)


def test_modified_at_is_the_stat_time_as_an_aware_datetime(store: Store, tmp_path: Path) -> None:
    result = store.write("a/b/c.txt", b"data")
    info = store.get_file_info("a/b/c.txt")
    stamp = info.modified_at
    assert isinstance(stamp, datetime) and stamp.tzinfo is UTC
    assert stamp == _expected(tmp_path / "a" / "b" / "c.txt")
    assert info.modified_at is stamp  # made once, then kept
    assert result.last_modified == stamp  # the write's result tells the same time


def test_a_set_time_survives_exactly_to_the_microsecond(store: Store, tmp_path: Path) -> None:
    store.write("t.bin", b"x")
    ns = 1_700_000_000_123_456_789  # the 789 ns below a microsecond are dropped, not rounded
    os.utime(tmp_path / "t.bin", ns=(ns, ns))
    when = datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=UTC)
    assert store.get_file_info("t.bin").modified_at == when
    listed = {info.path.name: info for info in store.list_files("")}
    assert listed["t.bin"].modified_at == when


def test_an_info_behaves_as_one_built_by_hand(store: Store) -> None:
    store.write("x/y.bin", b"12345")
    info = store.get_file_info("x/y.bin")
    fresh = store.get_file_info("x/y.bin")  # its time not read yet
    same = FileInfo(RemotePath("x/y.bin"), "y.bin", 5, info.modified_at, None, info.etag)
    assert info == same and hash(info) == hash(same)
    assert repr(fresh) == repr(same)
    assert "datetime.datetime(" in repr(store.get_file_info("x/y.bin"))
    when = same.modified_at

    def unread() -> FileInfo:
        return store.get_file_info("x/y.bin")

    assert pickle.loads(pickle.dumps(unread())).modified_at == when
    assert copy.deepcopy(unread()).modified_at == when
    assert dataclasses.asdict(unread())["modified_at"] == when
    assert dataclasses.replace(unread(), size=9).modified_at == when
    assert unread()._replace(size=9).modified_at == when
    with pytest.raises(dataclasses.FrozenInstanceError):
        fresh.modified_at = None


@pytest.mark.parametrize("given", [None, 1_700_000_000, "yesterday", datetime(2020, 1, 1)])
def test_a_value_given_to_the_constructor_is_kept_as_given(given: object) -> None:
    """Only the local backend's own builder defers the time: whatever a plugin passes (an
    ``int`` included) is what it reads back."""
    info = FileInfo(RemotePath("f"), "f", 1, given)  # type: ignore[arg-type]
    assert info.modified_at is given
    assert pickle.loads(pickle.dumps(info)).modified_at == given
