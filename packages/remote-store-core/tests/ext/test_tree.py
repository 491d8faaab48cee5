"""ext.tree: folder copy/move/sync/upload/download, outcomes, errors that lose nothing."""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path
from typing import BinaryIO

import pytest
from remote_store import Store
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.errors import (
    AlreadyExists,
    InvalidArgument,
    InvalidPath,
    NotFound,
    RemoteStoreError,
    TreeTransferError,
)
from remote_store.ext.tree import (
    TreeProgress,
    TreeResult,
    copy_tree,
    download_tree,
    move_tree,
    sync_tree,
    upload_tree,
)

FILES = {
    "a.txt": b"alpha",
    "sub/b.bin": bytes(range(256)) * 9000,  # several chunks
    "sub/deep/c.txt": b"",
    "z.txt": b"zed" * 100,
}


def fill(store: Store, folder: str, files: dict[str, bytes] = FILES) -> None:
    for name, data in files.items():
        store.write(f"{folder}/{name}" if folder else name, data)


def contents(store: Store, folder: str) -> dict[str, bytes]:
    cut = len(folder) + 1 if folder else 0
    return {
        str(info.path)[cut:]: store.read_bytes(str(info.path))
        for info in store.list_files(folder, recursive=True)
    }


class Patchable(Store):
    """A Store whose methods a test may replace (Store itself has slots)."""


def patchable(store: Store) -> Patchable:
    return Patchable(store.backend, store.root_path, _owns=False)


@pytest.fixture
def other(tmp_path: Path) -> Store:
    return Store(LocalBackend(tmp_path / "other"))


def test_copy_tree_between_stores_with_progress(store: Store, other: Store) -> None:
    fill(store, "src")
    seen: list[TreeProgress] = []
    result = copy_tree(store, "src", other, "dst", on_progress=seen.append)
    assert contents(other, "dst") == FILES
    assert sorted(o.path for o in result.copied) == sorted(FILES)
    assert result.ok and result.bytes_copied == sum(map(len, FILES.values()))
    last = seen[-1]
    assert (last.files_done, last.files_total) == (len(FILES), len(FILES))
    assert last.bytes_done == last.bytes_total == result.bytes_copied
    assert [p.bytes_done for p in seen] == sorted(p.bytes_done for p in seen)
    assert contents(store, "src") == FILES  # a copy leaves the source


def test_copy_tree_within_one_store_is_server_side(store: Store) -> None:
    store = patchable(store)
    fill(store, "src")
    calls: list[tuple[str, str]] = []
    original = store.copy

    def spy(src: str, dst: str, *, overwrite: bool = False) -> None:
        calls.append((src, dst))
        original(src, dst, overwrite=overwrite)

    store.copy = spy  # type: ignore[method-assign]
    copy_tree(store, "src", store, "dst")
    assert contents(store, "dst") == FILES
    assert sorted(calls) == sorted((f"src/{n}", f"dst/{n}") for n in FILES)


def test_copy_tree_refuses_existing_files_but_copies_the_rest(store: Store, other: Store) -> None:
    fill(store, "src")
    other.write("dst/a.txt", b"keep me")
    other.write("dst/z.txt", b"keep me too")
    with pytest.raises(TreeTransferError) as info:
        copy_tree(store, "src", other, "dst")
    error = info.value
    assert set(error.failures) == {"a.txt", "z.txt"}
    assert all(isinstance(e, AlreadyExists) for e in error.failures.values())
    assert other.read_bytes("dst/a.txt") == b"keep me"
    assert other.read_bytes("dst/sub/b.bin") == FILES["sub/b.bin"]
    assert isinstance(error.result, TreeResult)
    assert len(error.result.copied) == 2 and len(error.result.outcomes) == 4
    assert "2 of 4" in str(error)
    copy_tree(store, "src", other, "dst", overwrite=True)
    assert contents(other, "dst") == FILES


def test_every_failure_is_reported_none_hidden(store: Store, other: Store) -> None:
    store = patchable(store)
    fill(store, "src")
    broken = {"a.txt", "sub/deep/c.txt"}
    original = store.read

    def failing_read(path: str):  # type: ignore[no-untyped-def]
        if path.removeprefix("src/") in broken:
            raise PermissionError(f"no access to {path}")
        return original(path)

    store.read = failing_read  # type: ignore[method-assign]
    with pytest.raises(TreeTransferError) as info:
        copy_tree(store, "src", other, "dst")
    assert set(info.value.failures) == broken
    assert all(isinstance(e, RemoteStoreError) for e in info.value.failures.values())
    assert set(contents(other, "dst")) == set(FILES) - broken
    clone = pickle.loads(pickle.dumps(info.value))
    assert set(clone.failures) == broken


def test_move_tree_deletes_sources_and_empty_folders(tmp_path: Path) -> None:
    local = Store(LocalBackend(tmp_path / "l"))
    memory = Store(MemoryBackend())
    fill(local, "src")
    move_tree(local, "src", memory, "dst")
    assert contents(memory, "dst") == FILES
    assert not (tmp_path / "l" / "src").exists()
    move_tree(memory, "dst", memory, "again")
    assert contents(memory, "again") == FILES and list(memory.list_files("dst")) == []


def test_move_tree_keeps_a_source_whose_copy_failed(store: Store, other: Store) -> None:
    fill(store, "src")
    other.write("dst/a.txt", b"occupied")
    with pytest.raises(TreeTransferError):
        move_tree(store, "src", other, "dst")
    assert store.read_bytes("src/a.txt") == FILES["a.txt"]  # not lost
    assert not store.exists("src/z.txt")


def test_sync_copies_only_changed_and_deletes_extra(store: Store, other: Store) -> None:
    fill(store, "src")
    first = sync_tree(store, "src", other, "dst")
    assert len(first.copied) == len(FILES)
    again = sync_tree(store, "src", other, "dst")
    assert again.copied == [] and len(again.skipped) == len(FILES)
    store.write("src/a.txt", b"alpha, longer now", overwrite=True)
    other.write("dst/extra.txt", b"x")
    plan = sync_tree(store, "src", other, "dst", delete=True, dry_run=True)
    assert [o.path for o in plan.copied] == ["a.txt"] and plan.dry_run
    assert [o.path for o in plan.deleted] == ["extra.txt"] and other.exists("dst/extra.txt")
    done = sync_tree(store, "src", other, "dst", delete=True)
    assert [o.path for o in done.copied] == ["a.txt"]
    assert [o.path for o in done.deleted] == ["extra.txt"]
    assert contents(other, "dst") == contents(store, "src")


def test_sync_by_digest_sees_same_size_changes(store: Store, other: Store) -> None:
    fill(store, "src")
    sync_tree(store, "src", other, "dst")
    other.write("dst/a.txt", b"ALPHA", overwrite=True)  # same size, newer
    assert sync_tree(store, "src", other, "dst", compare="size").copied == []
    plan = sync_tree(store, "src", other, "dst", compare="digest", dry_run=True)
    assert [o.path for o in plan.copied] == ["a.txt"]  # hashed, not guessed
    assert other.read_bytes("dst/a.txt") == b"ALPHA"  # and nothing written
    result = sync_tree(store, "src", other, "dst", compare="digest")
    assert [o.path for o in result.copied] == ["a.txt"]
    assert other.read_bytes("dst/a.txt") == b"alpha"


def test_upload_and_download_tree(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "up"
    for name, data in FILES.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    upload_tree(source, store, "remote")
    assert contents(store, "remote") == FILES
    target = tmp_path / "down"
    download_tree(store, "remote", target)
    got = {str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert got == FILES  # no temporary file left


@pytest.mark.parametrize(
    ("src_path", "dst_path", "error"),
    [
        ("../x", "dst", InvalidPath),
        ("src", "../../etc", InvalidPath),
        ("missing", "dst", NotFound),
        ("src/a.txt", "dst", InvalidPath),  # a file is not a folder
    ],
)
def test_bad_folders_are_typed_errors(
    store: Store, other: Store, src_path: str, dst_path: str, error: type[Exception]
) -> None:
    fill(store, "src")
    with pytest.raises(error):
        copy_tree(store, src_path, other, dst_path)
    assert list(other.list_files("", recursive=True)) == []


def test_destination_inside_source_is_refused(store: Store) -> None:
    fill(store, "src")
    with pytest.raises(InvalidArgument):
        copy_tree(store, "src", store, "src/inner")
    with pytest.raises(InvalidArgument):
        move_tree(store, "src", store, "src")
    with pytest.raises(InvalidArgument):
        copy_tree(store, "", store, "backup")


@pytest.mark.parametrize("workers", [0, -1, True, 1.5])
def test_bad_arguments(store: Store, other: Store, workers: object) -> None:
    fill(store, "src")
    with pytest.raises(InvalidArgument):
        copy_tree(store, "src", other, "dst", workers=workers)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        sync_tree(store, "src", other, "dst", compare="mtime-ish")
    with pytest.raises(InvalidArgument):
        copy_tree(store, "src", other, "dst", on_progress=42)  # type: ignore[arg-type]


def test_upload_of_missing_or_file_path(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        upload_tree(tmp_path / "nope", store, "x")
    (tmp_path / "file").write_bytes(b"1")
    with pytest.raises(InvalidPath):
        upload_tree(tmp_path / "file", store, "x")
    assert not (tmp_path / "nope").exists()


def test_workers_bound_concurrency(other: Store) -> None:
    source = Patchable(MemoryBackend())
    fill(source, "", {f"f{i:02}": b"x" * 10 for i in range(24)})
    active = peak = 0
    guard = threading.Lock()
    original = source.read

    def counting_read(path: str):  # type: ignore[no-untyped-def]
        nonlocal active, peak
        with guard:
            active += 1
            peak = max(peak, active)
        try:
            threading.Event().wait(0.005)
            return original(path)
        finally:
            with guard:
                active -= 1

    source.read = counting_read  # type: ignore[method-assign]
    copy_tree(source, "", other, "", workers=3)
    assert 1 < peak <= 3
    assert len(list(other.list_files("", recursive=True))) == 24


def test_interrupted_copy_then_sync_ends_identical(tmp_path: Path) -> None:
    """A copy failing half-way leaves whole files only; sync completes it."""
    source = Patchable(LocalBackend(tmp_path / "s"))
    files = {f"d{i % 3}/f{i:03}.bin": os.urandom(1000 + i * 37) for i in range(40)}
    fill(source, "", files)
    target_root = tmp_path / "t"
    target = Store(LocalBackend(target_root))
    original = source.read
    count = 0
    lock = threading.Lock()

    class Torn:
        """Yields half of the file then fails, like a dropped connection."""

        def __init__(self, inner: BinaryIO) -> None:
            self.inner, self.sent = inner, False

        def read(self, size: int = -1) -> bytes:
            if self.sent:
                raise ConnectionResetError("connection dropped")
            self.sent = True
            data = self.inner.read()
            return data[: len(data) // 2]

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

    def flaky_read(path: str):  # type: ignore[no-untyped-def]
        nonlocal count
        with lock:
            count += 1
            tear = count > 20
        stream = original(path)
        return Torn(stream) if tear else stream

    source.read = flaky_read  # type: ignore[method-assign]
    with pytest.raises(TreeTransferError) as info:
        copy_tree(source, "", target, "", workers=2)
    assert len(info.value.failures) == 20
    on_disk = [p for p in target_root.rglob("*") if p.is_file()]
    assert len(on_disk) == 20
    for path in on_disk:  # every visible file is whole
        assert path.read_bytes() == files[str(path.relative_to(target_root))]
    source.read = original  # type: ignore[method-assign]
    result = sync_tree(source, "", target, "")
    assert len(result.copied) == 20 and len(result.skipped) == 20
    assert contents(target, "") == files
