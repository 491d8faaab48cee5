"""Rules of ``move`` (``MOVE``, ``ATOMIC_MOVE``) and ``copy`` (``COPY``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from remote_store import Backend, Capability, Store
from remote_store.errors import AlreadyExists, InvalidPath, NotFound, RemoteStoreError

from remote_store_conformance._helpers import PatternStream, pattern
from remote_store_conformance._markers import rule
from remote_store_conformance._poller import Poller
from remote_store_conformance._views import store_without
from remote_store_conformance.suite._atomic import observed_size
from remote_store_conformance.suite._base import FolderSemantics, Settings

__all__ = ["TransferRules"]

BOTH = pytest.mark.parametrize(
    "op",
    [
        pytest.param("move", marks=rule(Capability.MOVE, Capability.WRITE, Capability.READ)),
        pytest.param("copy", marks=rule(Capability.COPY, Capability.WRITE, Capability.READ)),
    ],
)


#: Each precedence rule runs through the Store as the backend declares itself and through
#: a Store that does not see EXCLUSIVE_CREATE, whose check-then-write path must agree.
VIEWS = pytest.mark.parametrize("view", ["as-declared", "without-exclusive-create"])


def _run(store: Store, op: str, src: str, dst: str, **kwargs: bool) -> None:
    getattr(store, op)(src, dst, **kwargs)


def _view(backend: Backend, view: str) -> Store:
    if view == "as-declared":
        return Store(backend, _owns=False)
    return store_without(backend, Capability.EXCLUSIVE_CREATE)


def _backend_error(call: Callable[[], object], backend: Backend, key: str) -> BaseException | None:
    """The typed error a direct backend call ends in (mapped as the Store maps it)."""
    try:
        call()
    except Exception as exc:
        return backend.map_error(exc, key)
    return None


class TransferRules:
    """Move removes the source, copy keeps it; both refuse and replace like writes."""

    @BOTH
    def test_transfer_puts_the_content_at_the_destination(self, rs_store: Store, op: str) -> None:
        rs_store.write("src/file.txt", b"content")
        _run(rs_store, op, "src/file.txt", "dst/deep/file.txt")
        assert rs_store.read_bytes("dst/deep/file.txt") == b"content"
        assert rs_store.is_file("src/file.txt") is (op == "copy")

    @BOTH
    def test_transfer_refuses_an_existing_destination_without_overwrite(
        self, rs_store: Store, op: str
    ) -> None:
        rs_store.write("s.txt", b"source")
        rs_store.write("d.txt", b"destination")
        with pytest.raises(AlreadyExists):
            _run(rs_store, op, "s.txt", "d.txt")
        assert rs_store.read_bytes("d.txt") == b"destination"
        assert rs_store.read_bytes("s.txt") == b"source"

    @BOTH
    def test_transfer_with_overwrite_replaces_the_destination(
        self, rs_store: Store, op: str
    ) -> None:
        rs_store.write("s.txt", b"source")
        rs_store.write("d.txt", b"a longer destination")
        _run(rs_store, op, "s.txt", "d.txt", overwrite=True)
        assert rs_store.read_bytes("d.txt") == b"source"

    @BOTH
    def test_transfer_onto_itself_keeps_the_data(self, rs_store: Store, op: str) -> None:
        rs_store.write("same.txt", b"same")
        _run(rs_store, op, "same.txt", "same.txt")
        assert rs_store.read_bytes("same.txt") == b"same"

    @BOTH
    def test_transfer_of_a_missing_source_raises_not_found(self, rs_store: Store, op: str) -> None:
        with pytest.raises(NotFound):
            _run(rs_store, op, "missing.txt", "d.txt")
        assert not rs_store.is_file("d.txt")

    @BOTH
    def test_transfer_of_a_folder_raises_invalid_path(
        self, rs_store: Store, op: str, rs_folders: FolderSemantics
    ) -> None:
        rs_store.write("folder/inner.txt", b"x")
        expected = InvalidPath if rs_folders.keeps_empty_folders else (InvalidPath, NotFound)
        with pytest.raises(expected):
            _run(rs_store, op, "folder", "elsewhere")
        with pytest.raises(expected):
            _run(rs_store, op, "folder", "folder")
        assert rs_store.is_file("folder/inner.txt")

    @rule(Capability.MOVE, Capability.WRITE, Capability.READ)
    def test_failed_move_leaves_at_least_one_copy(
        self, rs_store: Store, rs_folders: FolderSemantics
    ) -> None:
        if not rs_folders.rejects_file_ancestors:
            pytest.skip("flat namespace: the destination below a file is accepted")
        rs_store.write("blocker", b"a file")
        rs_store.write("mv.txt", b"precious")
        with pytest.raises(RemoteStoreError):
            rs_store.move("mv.txt", "blocker/mv.txt")
        assert rs_store.read_bytes("mv.txt") == b"precious"

    @rule(Capability.ATOMIC_MOVE, Capability.MOVE, Capability.WRITE, Capability.READ)
    def test_an_observer_never_sees_both_names_or_neither_during_an_atomic_move(
        self, rs_store: Store, rs_settings: Settings
    ) -> None:
        """A poller asks, in turn, "destination, then source?" and "source, then
        destination?" while a large file moves (``overwrite=True``: one rename). With an
        atomic move the destination appears at the very moment the source goes, so a
        destination seen before a source is never followed by the source still there
        (both), and a source seen gone is never followed by a missing destination
        (neither). A copy-then-delete shows both; a delete-then-write shows neither.

        ``overwrite=False`` is not polled: without a no-clobber rename a POSIX-like store
        links the destination, then unlinks the source, so both names exist for a moment
        (the destination still appears whole, in one step)."""
        size = observed_size(rs_settings)
        rs_store.write("mv/0.bin", pattern(size))
        route: list[tuple[str, str]] = [(f"mv/{i}.bin", f"mv/{i + 1}.bin") for i in range(4)]
        current: list[tuple[str, str]] = [route[0]]

        def check() -> None:
            src, dst = current[0]
            if rs_store.is_file(dst) and rs_store.is_file(src) and current[0] == (src, dst):
                raise AssertionError(f"both {src} and {dst} exist during a move")
            src, dst = current[0]
            if not rs_store.is_file(src) and not rs_store.is_file(dst) and current[0] == (src, dst):
                raise AssertionError(f"neither {src} nor {dst} exists during a move")

        with Poller(check):
            for src, dst in route:
                current[0] = (src, dst)
                rs_store.move(src, dst, overwrite=True)
        assert [str(i.path) for i in rs_store.list_files("mv")] == ["mv/4.bin"]
        with rs_store.read("mv/4.bin") as stream:
            assert stream.read(1024) == PatternStream.expected_chunk(0, 1024)

    @rule(Capability.ATOMIC_MOVE, Capability.MOVE, Capability.WRITE, Capability.READ)
    def test_atomic_move_publishes_the_whole_file_at_once(self, rs_store: Store) -> None:
        # Atomicity itself is not observable from one client; this checks the declared
        # fast path keeps content and removes the source in one step.
        rs_store.write("am/src.bin", b"m" * 100_000)
        rs_store.write("am/dst.bin", b"old")
        rs_store.move("am/src.bin", "am/dst.bin", overwrite=True)
        assert rs_store.read_bytes("am/dst.bin") == b"m" * 100_000
        assert not rs_store.exists("am/src.bin")

    # -- precedence: the source is checked first (docs/errors.md) -----------------------

    @BOTH
    @VIEWS
    def test_transfer_of_a_missing_source_onto_an_existing_file_raises_not_found(
        self, rs_backend: Backend, op: str, view: str
    ) -> None:
        store = _view(rs_backend, view)
        store.write("d.txt", b"destination")
        for overwrite in (False, True):
            with pytest.raises(NotFound):
                _run(store, op, "missing.txt", "d.txt", overwrite=overwrite)
        assert store.read_bytes("d.txt") == b"destination"

    @BOTH
    @VIEWS
    def test_transfer_of_a_folder_onto_an_existing_file_raises_invalid_path(
        self, rs_backend: Backend, op: str, view: str
    ) -> None:
        store = _view(rs_backend, view)
        store.write("folder/inner.txt", b"inner")
        store.write("d.txt", b"destination")
        for overwrite in (False, True):
            with pytest.raises(InvalidPath):
                _run(store, op, "folder", "d.txt", overwrite=overwrite)
        assert store.read_bytes("d.txt") == b"destination"
        assert store.read_bytes("folder/inner.txt") == b"inner"

    @BOTH
    @VIEWS
    def test_transfer_of_a_missing_source_below_a_file_raises_not_found(
        self, rs_backend: Backend, op: str, view: str
    ) -> None:
        store = _view(rs_backend, view)
        store.write("blocker", b"a file")
        for overwrite in (False, True):
            with pytest.raises(NotFound):
                _run(store, op, "missing.txt", "blocker/x.txt", overwrite=overwrite)
        assert store.read_bytes("blocker") == b"a file"

    @BOTH
    @VIEWS
    def test_transfer_below_a_file_raises_invalid_path(
        self, rs_backend: Backend, op: str, view: str, rs_folders: FolderSemantics
    ) -> None:
        if not rs_folders.rejects_file_ancestors:
            pytest.skip("flat namespace: a key below a file's name is accepted")
        store = _view(rs_backend, view)
        store.write("blocker", b"a file")
        store.write("s.txt", b"source")
        for overwrite in (False, True):
            with pytest.raises(InvalidPath):
                _run(store, op, "s.txt", "blocker/x.txt", overwrite=overwrite)
        assert store.read_bytes("blocker") == b"a file"
        assert store.read_bytes("s.txt") == b"source"

    @BOTH
    @VIEWS
    def test_transfer_onto_a_folder_raises_invalid_path(
        self, rs_backend: Backend, op: str, view: str, rs_folders: FolderSemantics
    ) -> None:
        if not rs_folders.rejects_file_ancestors:
            pytest.skip("flat namespace: a key and a prefix of the same name may coexist")
        store = _view(rs_backend, view)
        store.write("s.txt", b"source")
        store.write("dir/inner.txt", b"inner")
        for overwrite in (False, True):
            with pytest.raises(InvalidPath):
                _run(store, op, "s.txt", "dir", overwrite=overwrite)
        assert store.read_bytes("dir/inner.txt") == b"inner"
        assert store.read_bytes("s.txt") == b"source"

    @BOTH
    def test_backend_transfer_of_a_missing_source_maps_to_not_found(
        self, rs_store: Store, op: str
    ) -> None:
        backend = rs_store.backend
        rs_store.write("d.txt", b"destination")
        method: Callable[..., None] = getattr(backend, op)
        for overwrite in (False, True):

            def attempt(flag: bool = overwrite) -> None:
                method("missing.txt", "d.txt", overwrite=flag)

            error = _backend_error(attempt, backend, "d.txt")
            assert isinstance(error, NotFound), f"{op} of a missing source: got {error!r}"
        assert rs_store.read_bytes("d.txt") == b"destination"
