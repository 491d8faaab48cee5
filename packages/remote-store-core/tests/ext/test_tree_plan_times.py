"""``sync`` by size and mtime: the two times come from different clocks (a coarse
file-system clock, S3's whole seconds, a skewed host), so "newer" needs a margin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from remote_store import FileInfo, RemotePath
from remote_store.ext._tree_plan import MTIME_WINDOW, differs

BASE = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def _info(when: datetime, size: int = 3) -> FileInfo:
    return FileInfo(RemotePath("a.txt"), "a.txt", size, when)


@pytest.mark.parametrize(
    ("source_offset", "copy_offset"),
    [
        (timedelta(milliseconds=500), timedelta(0)),  # S3 truncated the copy's second
        (timedelta(milliseconds=3), timedelta(0)),  # a coarse fs clock lags a fine one
        (timedelta(milliseconds=900), timedelta(milliseconds=100)),  # a skewed host
        (timedelta(0), timedelta(0)),
        (timedelta(0), timedelta(hours=1)),  # the copy is simply newer
    ],
)
def test_a_source_within_the_window_of_its_copy_is_not_newer(
    source_offset: timedelta, copy_offset: timedelta
) -> None:
    assert differs(_info(BASE + source_offset), _info(BASE + copy_offset), "size-mtime") is False


@pytest.mark.parametrize(
    "beyond", [timedelta(microseconds=1), timedelta(seconds=1), timedelta(days=1)]
)
def test_a_source_newer_than_the_window_is_copied(beyond: timedelta) -> None:
    source = _info(BASE + MTIME_WINDOW + beyond)
    assert differs(source, _info(BASE), "size-mtime") is True


def test_a_size_change_is_copied_whatever_the_times() -> None:
    assert differs(_info(BASE, size=4), _info(BASE + timedelta(hours=1)), "size-mtime") is True


def test_a_missing_time_is_copied() -> None:
    no_time = FileInfo(RemotePath("a.txt"), "a.txt", 3, None)
    assert differs(no_time, _info(BASE), "size-mtime") is True
    assert differs(_info(BASE), no_time, "size-mtime") is True
