"""Rules of plain writes (``WRITE``) and of what a write returns."""

from __future__ import annotations

import io
import threading
from datetime import datetime

import pytest
from remote_store import Capability, Store, WriteResult
from remote_store.errors import AlreadyExists, InvalidPath

from remote_store_conformance._helpers import exploding
from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import FolderSemantics, Settings

__all__ = ["WriteRules"]


class WriteRules:
    """Writes create, refuse, replace and never leave a broken file behind."""

    @rule(Capability.WRITE, Capability.READ)
    def test_write_creates_the_file_and_its_parent_folders(self, rs_store: Store) -> None:
        rs_store.write("p/q/r.txt", b"payload")
        assert rs_store.read_bytes("p/q/r.txt") == b"payload"
        assert rs_store.is_file("p/q/r.txt")
        assert rs_store.is_folder("p/q")
        assert rs_store.is_folder("p")

    @rule(Capability.WRITE, Capability.READ)
    def test_write_refuses_existing_file_without_overwrite(self, rs_store: Store) -> None:
        rs_store.write("f.txt", b"first")
        with pytest.raises(AlreadyExists):
            rs_store.write("f.txt", b"second")
        with pytest.raises(AlreadyExists):
            rs_store.write("f.txt", io.BytesIO(b"third"), overwrite=False)
        assert rs_store.read_bytes("f.txt") == b"first"

    @rule(Capability.WRITE, Capability.READ)
    def test_write_with_overwrite_replaces_the_content(self, rs_store: Store) -> None:
        rs_store.write("f.txt", b"a much longer first version")
        rs_store.write("f.txt", b"short", overwrite=True)
        assert rs_store.read_bytes("f.txt") == b"short"

    @rule(Capability.WRITE, Capability.READ)
    def test_write_reads_a_stream_from_its_current_position(self, rs_store: Store) -> None:
        source = io.BytesIO(b"skip-me|keep-me")
        source.seek(8)
        result = rs_store.write("s.txt", source)
        assert rs_store.read_bytes("s.txt") == b"keep-me"
        assert result.size == 7

    @rule(Capability.WRITE, Capability.READ)
    def test_write_accepts_bytearray_and_memoryview(self, rs_store: Store) -> None:
        rs_store.write("ba.bin", bytearray(b"bytearray"))
        rs_store.write("mv.bin", memoryview(b"memoryview"))
        assert rs_store.read_bytes("ba.bin") == b"bytearray"
        assert rs_store.read_bytes("mv.bin") == b"memoryview"

    @rule(Capability.WRITE, Capability.READ)
    def test_write_of_empty_content_creates_an_empty_file(self, rs_store: Store) -> None:
        result = rs_store.write("empty.bin", b"")
        assert rs_store.is_file("empty.bin")
        assert rs_store.read_bytes("empty.bin") == b""
        assert result.size == 0

    @rule(Capability.WRITE, Capability.READ)
    def test_write_text_round_trips(self, rs_store: Store) -> None:
        rs_store.write_text("t.txt", "naïve ☃")
        assert rs_store.read_text("t.txt") == "naïve ☃"

    @rule(Capability.WRITE)
    def test_write_onto_a_folder_raises_invalid_path_even_with_overwrite(
        self, rs_store: Store, rs_folders: FolderSemantics
    ) -> None:
        if not rs_folders.rejects_file_ancestors:
            pytest.skip("flat namespace: a key and a prefix of the same name may coexist")
        rs_store.write("dir/inner.txt", b"x")
        with pytest.raises(InvalidPath):
            rs_store.write("dir", b"y")
        with pytest.raises(InvalidPath):
            rs_store.write("dir", b"y", overwrite=True)
        assert rs_store.is_folder("dir")

    @rule(Capability.WRITE)
    def test_write_below_a_file_raises_invalid_path(
        self, rs_store: Store, rs_folders: FolderSemantics
    ) -> None:
        if not rs_folders.rejects_file_ancestors:
            pytest.skip("flat namespace without the file-ancestor check")
        rs_store.write("plain.txt", b"x")
        with pytest.raises(InvalidPath):
            rs_store.write("plain.txt/child.txt", b"y")
        with pytest.raises(InvalidPath):
            rs_store.write("plain.txt/deeper/child.txt", b"y", overwrite=True)
        assert rs_store.is_file("plain.txt")

    @rule(Capability.WRITE, Capability.READ)
    def test_failed_write_keeps_the_old_file(self, rs_store: Store) -> None:
        rs_store.write("keep.txt", b"old content")
        with pytest.raises(Exception):  # noqa: B017 - the source's own error, typed or not
            rs_store.write("keep.txt", exploding(b"new partial content"), overwrite=True)
        assert rs_store.read_bytes("keep.txt") == b"old content"

    @rule(Capability.WRITE, Capability.LIST)
    def test_failed_writes_leave_no_visible_sibling(self, rs_store: Store) -> None:
        rs_store.write("fw/keep.txt", b"old")
        with pytest.raises(Exception):  # noqa: B017 - the source's own error
            rs_store.write("fw/keep.txt", exploding(b"n" * 300_000), overwrite=True)
        with pytest.raises(Exception):  # noqa: B017
            rs_store.write("fw/new.txt", exploding(b"n" * 300_000))
        assert [str(i.path) for i in rs_store.list_files("", recursive=True)] == ["fw/keep.txt"]
        assert [str(e.path) for e in rs_store.iter_children("fw")] == ["fw/keep.txt"]
        assert [str(e.path) for e in rs_store.iter_children("")] == ["fw"]

    @rule(Capability.WRITE)
    def test_failed_write_leaves_no_partial_file(self, rs_store: Store) -> None:
        with pytest.raises(Exception):  # noqa: B017
            rs_store.write("partial.txt", exploding(b"x" * 100_000))
        assert not rs_store.is_file("partial.txt")

    @rule(Capability.EXCLUSIVE_CREATE, Capability.WRITE, Capability.READ)
    def test_write_without_overwrite_has_exactly_one_winner_under_a_race(
        self, rs_store: Store, rs_settings: Settings
    ) -> None:
        writers = rs_settings.race_writers
        barrier = threading.Barrier(writers)
        won: list[bytes] = []
        refused: list[BaseException] = []
        other: list[BaseException] = []

        def attempt(index: int) -> None:
            payload = f"writer-{index}".encode()
            barrier.wait()
            try:
                rs_store.write("race.txt", payload)
            except AlreadyExists as exc:
                refused.append(exc)
            except BaseException as exc:
                other.append(exc)
            else:
                won.append(payload)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not other, f"unexpected errors: {other!r}"
        assert len(won) == 1, f"{len(won)} writers won the create-exclusive race"
        assert len(refused) == writers - 1
        assert rs_store.read_bytes("race.txt") == won[0]


class WriteResultRules:
    """What ``write`` returns, and what user metadata does."""

    @rule(Capability.WRITE)
    def test_write_result_has_the_path_and_size(self, rs_store: Store) -> None:
        result = rs_store.write("r/x.bin", b"12345")
        assert isinstance(result, WriteResult)
        assert result.path == "r/x.bin"
        assert result.size == 5

    @rule(Capability.WRITE)
    def test_write_result_size_counts_streamed_bytes(self, rs_store: Store) -> None:
        result = rs_store.write("r/stream.bin", io.BytesIO(b"z" * 300_001))
        assert result.size == 300_001

    @rule(Capability.WRITE)
    def test_write_result_basic_leaves_rich_fields_empty(self, rs_store: Store) -> None:
        result = rs_store.write("r/basic.bin", b"abc")
        if result.source != "basic":
            pytest.skip(f"result source is {result.source!r}")
        assert result.etag is None
        assert result.version_id is None
        assert result.digest is None

    @rule(Capability.WRITE_RESULT_NATIVE, Capability.WRITE)
    def test_write_result_is_native_when_declared(self, rs_store: Store) -> None:
        result = rs_store.write("r/native.bin", b"abc")
        assert result.source == "native"
        assert isinstance(result.last_modified, datetime)

    @rule(Capability.WRITE_RESULT_NATIVE, Capability.WRITE, Capability.METADATA)
    def test_write_result_native_fields_agree_with_file_info(self, rs_store: Store) -> None:
        result = rs_store.write("r/agree.bin", b"abcdef")
        info = rs_store.get_file_info("r/agree.bin")
        assert info.size == result.size
        if result.etag is not None and info.etag is not None:
            assert result.etag == info.etag
        if result.digest is not None and info.digest is not None:
            assert result.digest == info.digest
        if result.last_modified is not None and info.modified_at is not None:
            assert abs((result.last_modified - info.modified_at).total_seconds()) <= 2

    @rule(Capability.USER_METADATA, Capability.WRITE)
    def test_write_result_echoes_metadata_only_when_passed(self, rs_store: Store) -> None:
        with_meta = rs_store.write("m/a.txt", b"a", metadata={"owner": "kit"})
        without = rs_store.write("m/b.txt", b"b")
        assert dict(with_meta.metadata or {}) == {"owner": "kit"}
        assert not without.metadata

    @rule(Capability.USER_METADATA, Capability.WRITE, Capability.METADATA)
    def test_metadata_round_trips_through_get_file_info(self, rs_store: Store) -> None:
        meta = {"owner": "kit", "stage": "raw-data"}
        rs_store.write("m/c.txt", b"c", metadata=meta)
        assert dict(rs_store.get_file_info("m/c.txt").metadata or {}) == meta
        assert dict(rs_store.head("m/c.txt").metadata or {}) == meta

    @rule(Capability.USER_METADATA, Capability.WRITE, Capability.METADATA, Capability.MOVE)
    def test_metadata_survives_move(self, rs_store: Store) -> None:
        meta = {"owner": "kit"}
        rs_store.write("m/src.txt", b"c", metadata=meta)
        rs_store.move("m/src.txt", "m2/dst.txt")
        assert dict(rs_store.get_file_info("m2/dst.txt").metadata or {}) == meta

    @rule(Capability.USER_METADATA, Capability.WRITE, Capability.METADATA, Capability.COPY)
    def test_metadata_survives_copy(self, rs_store: Store) -> None:
        meta = {"owner": "kit"}
        rs_store.write("m/src.txt", b"c", metadata=meta)
        rs_store.copy("m/src.txt", "m2/dst.txt")
        assert dict(rs_store.get_file_info("m2/dst.txt").metadata or {}) == meta
        assert dict(rs_store.get_file_info("m/src.txt").metadata or {}) == meta

    @rule(Capability.USER_METADATA, Capability.WRITE, Capability.METADATA, Capability.DELETE)
    def test_metadata_does_not_survive_delete_and_re_create(self, rs_store: Store) -> None:
        rs_store.write("m/gone.txt", b"one", metadata={"owner": "kit"})
        rs_store.delete("m/gone.txt")
        rs_store.write("m/gone.txt", b"two")
        assert not rs_store.get_file_info("m/gone.txt").metadata
        assert not rs_store.head("m/gone.txt").metadata

    @rule(Capability.USER_METADATA, Capability.WRITE, Capability.METADATA)
    def test_an_overwrite_without_metadata_drops_the_old_metadata(self, rs_store: Store) -> None:
        rs_store.write("m/over.txt", b"one", metadata={"owner": "kit", "stage": "raw"})
        rs_store.write("m/over.txt", b"two", overwrite=True)
        assert not rs_store.get_file_info("m/over.txt").metadata
        rs_store.write("m/over.txt", b"three", overwrite=True, metadata={"stage": "clean"})
        assert dict(rs_store.get_file_info("m/over.txt").metadata or {}) == {"stage": "clean"}
