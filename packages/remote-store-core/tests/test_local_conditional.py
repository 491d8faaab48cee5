"""LocalBackend's conditional writes: the etag, the advisory lock on the replaced file,
and what the lock does (and does not) leave behind."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from remote_store import Store
from remote_store.backends import LocalBackend
from remote_store.backends._local_lock import PLAIN_WAIT
from remote_store.errors import PreconditionFailed


def _etag(store: Store, path: str) -> str:
    etag = store.get_file_info(path).etag
    assert etag
    return etag


def test_the_write_result_etag_is_the_file_info_etag_and_changes_with_every_write(
    local_store: Store,
) -> None:
    seen = set()
    for _ in range(20):  # same size, written within the same clock tick
        written = local_store.write("e.txt", b"x", overwrite=True).etag
        assert written == _etag(local_store, "e.txt")
        seen.add(written)
    assert len(seen) == 20


def test_a_change_in_place_makes_the_etag_stale(local_store: Store, local_root: Path) -> None:
    etag = _etag(local_store, "f.txt") if local_store.write("f.txt", b"one") else ""
    with open(local_root / "f.txt", "ab") as native:  # another program appends
        native.write(b" and two")
    with pytest.raises(PreconditionFailed):
        local_store.write("f.txt", b"lost", if_match=etag)
    assert local_store.read_bytes("f.txt") == b"one and two"


def test_a_stale_etag_on_a_missing_nested_path_creates_no_folder(
    local_store: Store, local_root: Path
) -> None:
    with pytest.raises(PreconditionFailed):
        local_store.write("no/such/folder/x.txt", b"x", if_match="1-1-1")
    assert os.listdir(local_root) == []


def test_if_match_on_a_folder_fails_and_keeps_the_folder(local_store: Store) -> None:
    local_store.write("dir/inside.txt", b"kept")
    with pytest.raises(PreconditionFailed):
        local_store.write("dir", b"x", if_match="1-1-1")
    assert local_store.read_bytes("dir/inside.txt") == b"kept"


def test_the_lock_leaves_no_file_behind(local_store: Store, local_root: Path) -> None:
    etag = _etag(local_store, "d/a.txt") if local_store.write("d/a.txt", b"a") else ""
    local_store.write("d/a.txt", b"b", if_match=etag)
    with pytest.raises(PreconditionFailed):
        local_store.write("d/a.txt", b"c", if_match=etag)  # refused after the pre-check
    local_store.write("d/a.txt", b"d", overwrite=True)
    assert os.listdir(local_root / "d") == ["a.txt"]
    assert [info.name for info in local_store.list_files("d")] == ["a.txt"]


def _race(store: Store, path: str, etag: str, writers: int) -> list[bytes | None]:
    """``writers`` threads write ``path`` under ``if_match=etag`` at once; each outcome is
    the content written, or ``None`` when the condition failed."""
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


@pytest.mark.parametrize("writers", [2, 8])
def test_racing_threads_with_one_etag_have_exactly_one_winner(
    local_store: Store, writers: int
) -> None:
    for round_number in range(25):
        path = f"race/{round_number}.txt"
        etag = local_store.write(path, b"base").etag
        assert etag
        outcomes = _race(local_store, path, etag, writers)
        won = [o for o in outcomes if o is not None]
        assert len(outcomes) == writers and len(won) == 1, (round_number, outcomes)
        assert local_store.read_bytes(path) == won[0]


def test_optimistic_increments_lose_no_update(local_store: Store) -> None:
    """Read the etag, then the value; write value + 1 under that etag; retry on failure."""
    local_store.write("counter", b"0")
    threads, increments = 4, 25

    def increment() -> None:
        for _ in range(increments):
            while True:
                etag = _etag(local_store, "counter")
                value = int(local_store.read_bytes("counter"))
                try:
                    local_store.write("counter", str(value + 1).encode(), if_match=etag)
                    break
                except PreconditionFailed:
                    continue

    workers = [threading.Thread(target=increment) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert int(local_store.read_bytes("counter")) == threads * increments


def _process_writer(root: str, etag: str, index: int, barrier: object, results: object) -> None:
    store = Store(LocalBackend(root=root))
    barrier.wait()  # type: ignore[attr-defined]
    try:
        store.write("shared.txt", f"process {index}".encode(), if_match=etag)
        results.put(index)  # type: ignore[attr-defined]
    except PreconditionFailed:
        results.put(None)  # type: ignore[attr-defined]


def test_racing_processes_with_one_etag_have_exactly_one_winner(local_root: Path) -> None:
    store = Store(LocalBackend(root=local_root))
    context = multiprocessing.get_context("fork")
    for _ in range(3):
        etag = store.write("shared.txt", b"base", overwrite=True).etag
        barrier, results = context.Barrier(4), context.Queue()
        processes = [
            context.Process(
                target=_process_writer, args=(str(local_root), etag, i, barrier, results)
            )
            for i in range(4)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=30) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        winners = [o for o in outcomes if o is not None]
        assert len(winners) == 1, outcomes
        assert store.read_bytes("shared.txt") == f"process {winners[0]}".encode()


def test_an_overwrite_waits_while_a_conditional_writer_holds_the_lock(
    local_store: Store, local_root: Path
) -> None:
    local_store.write("held.txt", b"old")
    fd = os.open(local_root / "held.txt", os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a conditional writer between its check and its rename
    done = threading.Event()

    def overwrite() -> None:
        local_store.write("held.txt", b"new", overwrite=True)
        done.set()

    writer = threading.Thread(target=overwrite)
    writer.start()
    try:
        assert not done.wait(0.2)  # the overwrite does not slip in between
        assert local_store.read_bytes("held.txt") == b"old"
    finally:
        os.close(fd)
    writer.join(timeout=5)
    assert done.is_set()
    assert local_store.read_bytes("held.txt") == b"new"


@pytest.mark.parametrize("operation", ["overwrite", "delete"])
def test_a_lock_held_by_another_program_delays_a_plain_change_only_boundedly(
    local_store: Store, local_root: Path, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    from remote_store.backends import _local, _local_write

    assert PLAIN_WAIT <= 1.0
    monkeypatch.setattr(_local, "PLAIN_WAIT", 0.2)
    monkeypatch.setattr(_local_write, "PLAIN_WAIT", 0.2)
    local_store.write("foreign.txt", b"old")
    fd = os.open(local_root / "foreign.txt", os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # never released during the change
    try:
        began = time.monotonic()
        if operation == "delete":
            local_store.delete("foreign.txt")
        else:
            local_store.write("foreign.txt", b"new", overwrite=True)
        elapsed = time.monotonic() - began
    finally:
        os.close(fd)
    # it waited for the lock, then gave up: never forever (10 s leaves room for a loaded CI)
    assert 0.2 <= elapsed < 10
    if operation == "delete":
        assert not local_store.exists("foreign.txt")
    else:
        assert local_store.read_bytes("foreign.txt") == b"new"


def test_an_overwrite_between_check_and_rename_makes_the_conditional_write_fail(
    local_store: Store, local_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain overwrite that lands after the pre-check (here: while the temporary file
    is written) replaces the file: the check under the lock sees another inode."""
    from remote_store._streams import copy_stream
    from remote_store.backends import _local

    etag = local_store.write("mid.txt", b"base").etag
    assert etag

    def copy_then_overwrite(source: Any, target: Any) -> None:
        copy_stream(source, target)
        monkeypatch.undo()  # once: the overwrite below copies with the real function
        local_store.write("mid.txt", b"someone else", overwrite=True)

    monkeypatch.setattr(_local, "copy_stream", copy_then_overwrite)
    with pytest.raises(PreconditionFailed):
        local_store.write("mid.txt", b"lost update", if_match=etag)
    assert local_store.read_bytes("mid.txt") == b"someone else"
    assert os.listdir(local_root) == ["mid.txt"]  # the refused temporary file is gone
