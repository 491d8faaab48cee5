"""Rules of atomic writes (``ATOMIC_WRITE``): ``write_atomic`` and ``open_atomic``."""

from __future__ import annotations

import pytest
from remote_store import Capability, Store, WriteResult
from remote_store.errors import AlreadyExists, NotFound, RemoteStoreError

from remote_store_conformance._helpers import PatternStream, exploding, pattern
from remote_store_conformance._markers import rule
from remote_store_conformance._poller import Poller
from remote_store_conformance.suite._base import Settings

#: Size of the file an observer watches being replaced (capped: it reads it whole).
OBSERVED_SIZE_CAP = 8 * 1024 * 1024


def observed_size(settings: Settings) -> int:
    """The size of the files the atomicity observers watch."""
    return max(64 * 1024, min(settings.large_file_size, OBSERVED_SIZE_CAP))


__all__ = ["AtomicRules"]


class _BodyFailed(Exception):
    """Raised inside an ``open_atomic`` block on purpose."""


def _write_then_fail(store: Store, path: str, *, overwrite: bool) -> None:
    with store.open_atomic(path, overwrite=overwrite) as stream:
        stream.write(b"never published")
        raise _BodyFailed


class AtomicRules:
    """Atomic writes publish the whole new file or nothing."""

    @rule(Capability.ATOMIC_WRITE, Capability.READ)
    def test_write_atomic_creates_the_file(self, rs_store: Store) -> None:
        result = rs_store.write_atomic("at/new.txt", b"atomic")
        assert rs_store.read_bytes("at/new.txt") == b"atomic"
        assert result.size == 6

    @rule(Capability.ATOMIC_WRITE, Capability.READ)
    def test_write_atomic_refuses_existing_file_without_overwrite(self, rs_store: Store) -> None:
        rs_store.write_atomic("at/f.txt", b"first")
        with pytest.raises(AlreadyExists):
            rs_store.write_atomic("at/f.txt", b"second")
        assert rs_store.read_bytes("at/f.txt") == b"first"

    @rule(Capability.ATOMIC_WRITE, Capability.READ)
    def test_write_atomic_with_overwrite_replaces_the_content(self, rs_store: Store) -> None:
        rs_store.write_atomic("at/f.txt", b"first version")
        rs_store.write_atomic("at/f.txt", b"second", overwrite=True)
        assert rs_store.read_bytes("at/f.txt") == b"second"

    @rule(Capability.ATOMIC_WRITE, Capability.READ)
    def test_write_atomic_failing_stream_keeps_the_old_file(self, rs_store: Store) -> None:
        rs_store.write_atomic("at/keep.txt", b"old")
        with pytest.raises(Exception):  # noqa: B017 - the source's own error, mapped
            rs_store.write_atomic("at/keep.txt", exploding(b"n" * 50_000), overwrite=True)
        assert rs_store.read_bytes("at/keep.txt") == b"old"

    @rule(Capability.ATOMIC_WRITE)
    def test_write_atomic_failing_stream_leaves_no_partial_file(self, rs_store: Store) -> None:
        with pytest.raises(Exception):  # noqa: B017
            rs_store.write_atomic("at/partial.txt", exploding(b"n" * 50_000))
        assert not rs_store.is_file("at/partial.txt")

    @rule(Capability.ATOMIC_WRITE, Capability.READ)
    def test_open_atomic_commits_on_a_clean_exit_and_exposes_the_result(
        self, rs_store: Store
    ) -> None:
        context = rs_store.open_atomic("at/open.txt")
        with context as stream:
            stream.write(b"part one, ")
            stream.write(b"part two")
        assert rs_store.read_bytes("at/open.txt") == b"part one, part two"
        assert isinstance(context.result, WriteResult)
        assert context.result.path == "at/open.txt"
        assert context.result.size == len(b"part one, part two")

    @rule(Capability.ATOMIC_WRITE, Capability.READ)
    def test_open_atomic_refuses_existing_file_without_overwrite(self, rs_store: Store) -> None:
        rs_store.write_atomic("at/exists.txt", b"first")
        with pytest.raises(AlreadyExists):
            with rs_store.open_atomic("at/exists.txt") as stream:
                stream.write(b"second")
        with rs_store.open_atomic("at/exists.txt", overwrite=True) as stream:
            stream.write(b"third")
        assert rs_store.read_bytes("at/exists.txt") == b"third"

    @rule(Capability.ATOMIC_WRITE, Capability.READ)
    def test_open_atomic_body_error_leaves_the_target_untouched(self, rs_store: Store) -> None:
        rs_store.write_atomic("at/target.txt", b"original")
        with pytest.raises(_BodyFailed):
            _write_then_fail(rs_store, "at/target.txt", overwrite=True)
        with pytest.raises(_BodyFailed):
            _write_then_fail(rs_store, "at/fresh.txt", overwrite=False)
        assert rs_store.read_bytes("at/target.txt") == b"original"
        assert not rs_store.is_file("at/fresh.txt")

    @rule(Capability.ATOMIC_WRITE, Capability.READ, Capability.LIST)
    def test_an_observer_never_sees_a_partial_file_or_a_temporary_name(
        self, rs_store: Store, rs_settings: Settings
    ) -> None:
        """While ``write_atomic`` replaces a file, a concurrent reader sees the old content
        or the whole new one (or a typed error other than NotFound, when the replace
        overtakes its read), and a concurrent listing shows the target's name only."""
        size = observed_size(rs_settings)
        old = b"o" * 1000
        new = PatternStream(size).readall()
        rs_store.write_atomic("aw/target.bin", old)

        def check() -> None:
            listed = [str(i.path) for i in rs_store.list_files("aw", recursive=True)]
            assert listed == ["aw/target.bin"], f"a listing during write_atomic: {listed}"
            children = [str(e.path) for e in rs_store.iter_children("aw")]
            assert children == ["aw/target.bin"], f"children during write_atomic: {children}"
            try:
                seen = rs_store.read_bytes("aw/target.bin")
            except NotFound:
                raise AssertionError("the file was missing during write_atomic") from None
            except RemoteStoreError:
                return  # a read overtaken by the replace may fail (typed): it saw no mix
            assert seen in (old, new), f"a reader saw {len(seen)} bytes of neither version"

        with Poller(check):
            for _ in range(3):
                rs_store.write_atomic("aw/target.bin", pattern(size), overwrite=True)
                rs_store.write_atomic("aw/target.bin", old, overwrite=True)
        assert rs_store.read_bytes("aw/target.bin") == old

    @rule(Capability.ATOMIC_WRITE, Capability.LIST)
    def test_failed_atomic_writes_leave_no_visible_sibling(self, rs_store: Store) -> None:
        rs_store.write_atomic("fa/keep.txt", b"old")
        with pytest.raises(Exception):  # noqa: B017 - the source's own error
            rs_store.write_atomic("fa/keep.txt", exploding(b"n" * 300_000), overwrite=True)
        with pytest.raises(Exception):  # noqa: B017
            rs_store.write_atomic("fa/new.txt", exploding(b"n" * 300_000))
        with pytest.raises(_BodyFailed):
            _write_then_fail(rs_store, "fa/body.txt", overwrite=False)
        assert [str(i.path) for i in rs_store.list_files("", recursive=True)] == ["fa/keep.txt"]
        assert [str(e.path) for e in rs_store.iter_children("fa")] == ["fa/keep.txt"]
        assert [str(e.path) for e in rs_store.iter_children("")] == ["fa"]
