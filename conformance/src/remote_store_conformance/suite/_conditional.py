"""Rules of conditional writes (``CONDITIONAL_WRITE``) and bulk deletes (``BULK_DELETE``)."""

from __future__ import annotations

import io
import threading

import pytest
from remote_store import Capability, Store
from remote_store.errors import (
    InvalidArgument,
    InvalidPath,
    NotFound,
    PreconditionFailed,
)

from remote_store_conformance._markers import rule

__all__ = ["BulkDeleteRules", "ConditionalWriteRules"]


def _etag_of(store: Store, path: str, written_etag: str | None) -> str:
    """The etag a caller would use: the write's own, else the file's metadata."""
    etag = written_etag
    if etag is None and Capability.METADATA in store.capabilities:
        etag = store.get_file_info(path).etag
    assert etag, "a backend with CONDITIONAL_WRITE must expose the etag of what it wrote"
    return etag


class ConditionalWriteRules:
    """A conditional write replaces or creates a file only while its condition holds."""

    @rule(Capability.CONDITIONAL_WRITE, Capability.READ)
    def test_if_match_replaces_the_file_while_its_etag_is_current(self, rs_store: Store) -> None:
        etag = _etag_of(rs_store, "c.txt", rs_store.write("c.txt", b"first").etag)
        rs_store.write("c.txt", b"second", if_match=etag)
        assert rs_store.read_bytes("c.txt") == b"second"

    @rule(Capability.CONDITIONAL_WRITE, Capability.READ)
    def test_if_match_with_a_stale_etag_fails_and_keeps_the_newer_file(
        self, rs_store: Store
    ) -> None:
        stale = _etag_of(rs_store, "c.txt", rs_store.write("c.txt", b"first").etag)
        rs_store.write("c.txt", b"second, by someone else", overwrite=True)
        with pytest.raises(PreconditionFailed):
            rs_store.write("c.txt", b"lost update", if_match=stale)
        assert rs_store.read_bytes("c.txt") == b"second, by someone else"

    @rule(Capability.CONDITIONAL_WRITE, Capability.READ)
    def test_if_match_on_a_missing_file_fails_and_creates_nothing(self, rs_store: Store) -> None:
        etag = _etag_of(rs_store, "other.txt", rs_store.write("other.txt", b"x").etag)
        with pytest.raises(PreconditionFailed):
            rs_store.write("missing.txt", b"data", if_match=etag)
        assert not rs_store.exists("missing.txt")

    @rule(Capability.CONDITIONAL_WRITE, Capability.READ)
    def test_a_stream_of_several_parts_is_held_to_its_condition(self, rs_store: Store) -> None:
        # a stream above a backend's part size goes another way (multipart, blocks, a
        # resumable upload): the condition must travel with it, and a refused upload
        # leaves nothing behind
        big = bytes(range(256)) * (48 * 1024)  # 12 MiB
        stale = _etag_of(rs_store, "big.bin", rs_store.write("big.bin", b"first").etag)
        second = rs_store.write("big.bin", b"second, by someone else", overwrite=True)
        with pytest.raises(PreconditionFailed):
            rs_store.write("big.bin", io.BytesIO(big), if_match=stale)
        with pytest.raises(PreconditionFailed):
            rs_store.write("gone.bin", io.BytesIO(big), if_match=stale)
        assert rs_store.read_bytes("big.bin") == b"second, by someone else"
        assert not rs_store.exists("gone.bin")
        current = _etag_of(rs_store, "big.bin", second.etag)
        rs_store.write("big.bin", io.BytesIO(big), if_match=current)
        assert rs_store.read_bytes("big.bin") == big
        rs_store.write("fresh.bin", io.BytesIO(big), if_none_match="*")
        with pytest.raises(PreconditionFailed):
            rs_store.write("fresh.bin", io.BytesIO(b"x" * len(big)), if_none_match="*")
        assert rs_store.read_bytes("fresh.bin") == big

    @rule(Capability.CONDITIONAL_WRITE, Capability.READ)
    def test_if_none_match_creates_a_missing_file(self, rs_store: Store) -> None:
        rs_store.write("new/n.txt", b"created", if_none_match="*")
        assert rs_store.read_bytes("new/n.txt") == b"created"

    @rule(Capability.CONDITIONAL_WRITE, Capability.READ)
    def test_if_none_match_on_an_existing_file_fails_and_keeps_it(self, rs_store: Store) -> None:
        rs_store.write("n.txt", b"kept")
        with pytest.raises(PreconditionFailed):
            rs_store.write("n.txt", b"refused", if_none_match="*")
        assert rs_store.read_bytes("n.txt") == b"kept"

    @rule(Capability.CONDITIONAL_WRITE)
    def test_a_malformed_condition_is_refused_before_any_write(self, rs_store: Store) -> None:
        with pytest.raises(InvalidArgument):
            rs_store.write("m.txt", b"x", if_match="a", if_none_match="*")
        with pytest.raises(InvalidArgument):
            rs_store.write("m.txt", b"x", if_none_match="some-etag")
        with pytest.raises(InvalidArgument):
            rs_store.write("m.txt", b"x", if_none_match="*", overwrite=True)
        with pytest.raises(InvalidArgument):
            rs_store.write("m.txt", b"x", if_match="")
        assert not rs_store.exists("m.txt")

    @rule(Capability.CONDITIONAL_WRITE, Capability.READ)
    def test_racing_writers_with_the_same_etag_have_exactly_one_winner(
        self, rs_store: Store
    ) -> None:
        for round_number in range(3):
            path = f"race-{round_number}.txt"
            etag = _etag_of(rs_store, path, rs_store.write(path, b"base").etag)
            outcomes = _race(rs_store, path, etag, writers=4)
            winners = [o for o in outcomes if o is not None]
            assert len(outcomes) == 4
            assert len(winners) == 1, f"round {round_number}: {outcomes}"
            assert rs_store.read_bytes(path) == winners[0]


def _race(store: Store, path: str, etag: str, writers: int) -> list[bytes | None]:
    """Start ``writers`` threads at once writing ``path`` under ``if_match=etag``; each
    outcome is the content it wrote, or ``None`` when its condition failed."""
    start = threading.Barrier(writers)
    outcomes: list[bytes | None] = []

    def write(index: int) -> None:
        content = f"writer {index}".encode()
        start.wait()
        try:
            store.write(path, content, if_match=etag)
        except PreconditionFailed:
            outcomes.append(None)
        else:
            outcomes.append(content)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


class BulkDeleteRules:
    """``delete_many`` deletes what it can and reports every path's outcome."""

    @rule(Capability.BULK_DELETE, Capability.WRITE)
    def test_delete_many_deletes_every_file_and_reports_none_for_each(
        self, rs_store: Store
    ) -> None:
        paths = [f"bulk/{i:03d}.txt" for i in range(25)]
        for path in paths:
            rs_store.write(path, b"x")
        rs_store.write("bulk/kept.txt", b"keep me")
        outcomes = rs_store.delete_many(paths)
        assert outcomes == dict.fromkeys(paths)
        assert not any(rs_store.exists(path) for path in paths)
        assert rs_store.read_bytes("bulk/kept.txt") == b"keep me"

    @rule(Capability.BULK_DELETE, Capability.WRITE)
    def test_delete_many_reports_a_missing_file_as_not_found_and_deletes_the_rest(
        self, rs_store: Store
    ) -> None:
        rs_store.write("a.txt", b"a")
        rs_store.write("b.txt", b"b")
        outcomes = rs_store.delete_many(["a.txt", "missing.txt", "b.txt"])
        assert outcomes["a.txt"] is None and outcomes["b.txt"] is None
        assert isinstance(outcomes["missing.txt"], NotFound)
        assert not rs_store.exists("a.txt") and not rs_store.exists("b.txt")

    @rule(Capability.BULK_DELETE, Capability.WRITE)
    def test_delete_many_with_missing_ok_reports_a_missing_file_as_done(
        self, rs_store: Store
    ) -> None:
        rs_store.write("a.txt", b"a")
        assert rs_store.delete_many(["a.txt", "missing.txt"], missing_ok=True) == {
            "a.txt": None,
            "missing.txt": None,
        }

    @rule(Capability.BULK_DELETE, Capability.WRITE)
    def test_delete_many_reports_a_folder_or_a_bad_path_and_keeps_going(
        self, rs_store: Store
    ) -> None:
        rs_store.write("dir/inside.txt", b"kept")
        rs_store.write("gone.txt", b"x")
        outcomes = rs_store.delete_many(["dir", "../escape.txt", "gone.txt"])
        assert isinstance(outcomes["dir"], (InvalidPath, NotFound))
        assert isinstance(outcomes["../escape.txt"], InvalidPath)
        assert outcomes["gone.txt"] is None
        assert rs_store.read_bytes("dir/inside.txt") == b"kept"
        assert not rs_store.exists("gone.txt")

    @rule(Capability.BULK_DELETE)
    def test_delete_many_refuses_one_string_instead_of_a_list(self, rs_store: Store) -> None:
        with pytest.raises(InvalidArgument):
            rs_store.delete_many("a.txt")

    @rule(Capability.BULK_DELETE, Capability.WRITE)
    def test_delete_many_of_nothing_does_nothing(self, rs_store: Store) -> None:
        rs_store.write("a.txt", b"a")
        assert rs_store.delete_many([]) == {}
        assert rs_store.exists("a.txt")
