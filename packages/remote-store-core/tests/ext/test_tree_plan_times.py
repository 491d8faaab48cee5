"""``sync`` by size and mtime against a store that keeps whole seconds (S3)."""

from __future__ import annotations

from datetime import UTC, datetime

from remote_store import FileInfo, RemotePath
from remote_store.ext._tree_plan import differs


def _info(when: datetime, size: int = 3) -> FileInfo:
    return FileInfo(RemotePath("a.txt"), "a.txt", size, when)


def test_a_source_written_earlier_in_the_same_second_is_not_newer() -> None:
    source = _info(datetime(2026, 1, 1, 12, 0, 0, 500_000, UTC))
    copy = _info(datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC))  # S3 LastModified
    assert differs(source, copy, "size-mtime") is False


def test_a_source_changed_in_a_later_second_is_newer() -> None:
    source = _info(datetime(2026, 1, 1, 12, 0, 1, 200_000, UTC))
    copy = _info(datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC))
    assert differs(source, copy, "size-mtime") is True


def test_sub_second_stores_compare_exactly() -> None:
    source = _info(datetime(2026, 1, 1, 12, 0, 0, 500_000, UTC))
    copy = _info(datetime(2026, 1, 1, 12, 0, 0, 400_000, UTC))
    assert differs(source, copy, "size-mtime") is True
    assert differs(source, _info(source.modified_at, size=4), "size-mtime") is True
