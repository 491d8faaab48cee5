"""The local backend under a live symlink race: another process swaps a folder inside the
root with a symlink to an outside folder, in a loop, while every mutating and listing
operation runs on paths through that folder. Nothing may be created, changed, deleted or
read outside the root (temporary files included), with ``openat2`` and with the walk."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_store import RemoteStoreError, Store
from remote_store.backends import LocalBackend, _fdroot
from remote_store.backends._beneath import load_open_beneath

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux races")

# Exchanges each pair until the stop file appears: ``swap`` (a folder) with ``bait`` (a
# symlink to the outside folder), ``file.txt`` with ``filebait`` (a symlink to an outside
# file); renameat2(RENAME_EXCHANGE) when libc has it, else three renames.
_SWAPPER = r"""
import ctypes, os, sys
stop = sys.argv[1]
pairs = [(a.encode(), b.encode()) for a, b in zip(sys.argv[2::2], sys.argv[3::2])]
libc = ctypes.CDLL(None, use_errno=True)
exchange = getattr(libc, "renameat2", None)
count = 0
print("ready", flush=True)
while True:
    for _ in range(250):
        for a, b in pairs:
            try:
                if exchange is not None:
                    if exchange(-100, a, -100, b, 2) == 0:
                        count += 1
                else:
                    os.rename(a, a + b".hold"); os.rename(b, a); os.rename(a + b".hold", b)
                    count += 1
            except OSError:
                pass  # the folder was just deleted by the store: it comes back with a write
    if os.path.exists(stop):
        break
print(count, flush=True)
"""

SECRET = b"OUTSIDE-SECRET " * 50  # a size no inside payload has
SIZES_INSIDE = {2, 3, 4, 5}


def _outside_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every node below ``folder`` with its size and mtime (a folder's changes on create/delete)."""
    state = {".": (0, folder.stat().st_mtime_ns)}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            state[os.path.relpath(full, folder)] = (st.st_size, st.st_mtime_ns)
    return state


def _build_outside(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "sub").mkdir(parents=True)
    for name in ("victim.txt", "only-outside.txt", "copy.txt", "sub/a.txt", "sub/deep.txt"):
        (folder / name).write_bytes(SECRET)


def _operations(store: Store) -> Iterator[tuple[str, Callable[[], Any]]]:
    """One round of every operation, through the contested folder ``swap``."""

    def atomic() -> None:
        with store.open_atomic("swap/sub/a.txt", overwrite=True) as sink:
            sink.write(b"in4")

    round_number = 0
    while True:
        round_number += 1
        new = f"swap/new-{round_number}.txt"
        moved = f"swap/sub/moved-{round_number}.txt"
        yield "write", lambda: store.write("swap/victim.txt", b"in", overwrite=True)
        yield "write_new", functools.partial(store.write, new, b"in2")
        yield "write_deep", lambda: store.write("swap/sub/deep.txt", b"in3", overwrite=True)
        yield "read_bytes", lambda: store.read_bytes("swap/victim.txt")
        yield "read", lambda: store.read("swap/sub/deep.txt").read()
        yield "get_file_info", lambda: store.get_file_info("swap/victim.txt").size
        yield "exists", lambda: store.exists("swap/only-outside.txt")
        yield "is_file", lambda: store.is_file("swap/only-outside.txt")
        yield "list_files", lambda: [str(f.path) for f in store.list_files("swap", recursive=True)]
        yield "list_folders", lambda: [str(f.path) for f in store.list_folders("swap")]
        yield "iter_children", lambda: [str(c.path) for c in store.iter_children("swap")]
        yield "glob", lambda: [str(f.path) for f in store.glob("swap/**/*.txt")]
        yield "get_folder_info", lambda: store.get_folder_info("swap").total_size
        yield "copy", lambda: store.copy("swap/victim.txt", "swap/copy.txt", overwrite=True)
        yield "copy_out", lambda: store.copy("swap/only-outside.txt", "stolen.txt")
        yield "move", functools.partial(store.move, new, moved)
        yield "move_out", lambda: store.move("swap/only-outside.txt", "stolen2.txt")
        yield "delete", lambda: store.delete("swap/copy.txt")
        yield "delete_deep", lambda: store.delete("swap/sub/deep.txt")
        if round_number % 4 == 0:  # the root folder's lock is contended by the swapper: slow
            yield "write_file", lambda: store.write("file.txt", b"in", overwrite=True)
            yield "read_file", lambda: store.read_bytes("file.txt")
            yield "info_file", lambda: store.get_file_info("file.txt").size
            yield "copy_file", lambda: store.copy("file.txt", "copied.txt", overwrite=True)
            yield "move_file", lambda: store.move("file.txt", "file.txt.moved", overwrite=True)
            yield "move_back", lambda: store.move("file.txt.moved", "file.txt", overwrite=True)
            yield (
                "list_root",
                lambda: [f"{f.path}:{f.size}" for f in store.list_files("", recursive=True)],
            )
        if round_number % 8 == 0:  # fsync'd: slower, so fewer of them
            yield "write_atomic", lambda: store.write_atomic("swap/sub/a.txt", b"5", overwrite=True)
            yield "open_atomic", atomic
            yield "delete_folder", lambda: store.delete_folder("swap/sub", recursive=True)
            yield "delete_file", lambda: store.delete("file.txt")
            yield "atomic_file", lambda: store.write_atomic("file.txt", b"in", overwrite=True)
        if round_number % 32 == 0:
            yield "delete_swap", lambda: store.delete_folder("swap", recursive=True)


def _leaked(name: str, result: Any) -> bool:
    """Whether an operation's result shows outside content."""
    if isinstance(result, bytes):
        return b"OUTSIDE" in result
    if isinstance(result, list):  # names only outside, or an outside file's size
        return any(
            "only-outside" in item or "stolen" in item or item.endswith(f":{len(SECRET)}")
            for item in result
        )
    if name in ("exists", "is_file"):
        return result is True  # the file exists only outside
    if isinstance(result, int) and name in ("get_file_info", "info_file"):
        return result not in SIZES_INSIDE
    if isinstance(result, int) and name == "get_folder_info":
        return result >= len(SECRET)
    return False


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("resolution", ["openat2", "walk"])
def test_no_escape_while_a_folder_is_swapped_for_an_outside_symlink(
    tmp_path: Path, resolution: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if resolution == "openat2":
        if load_open_beneath() is None:
            pytest.skip("openat2 is not available here")
        monkeypatch.setattr(_fdroot, "OPEN_BENEATH", load_open_beneath())
    else:
        monkeypatch.setattr(_fdroot, "OPEN_BENEATH", None)
    root, outside = tmp_path / "root", tmp_path / "outside"
    _build_outside(outside)
    (root / "swap" / "sub").mkdir(parents=True)
    (root / "bait").symlink_to(outside, target_is_directory=True)
    (root / "file.txt").write_bytes(b"in")
    (root / "filebait").symlink_to(outside / "victim.txt")
    store = Store(LocalBackend(root=root))
    baseline = _outside_state(outside)
    stop = tmp_path / "stop"
    swapper = subprocess.Popen(
        [sys.executable, "-c", _SWAPPER, str(stop)]
        + [str(root / name) for name in ("swap", "bait", "file.txt", "filebait")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert swapper.stdout is not None
    assert swapper.stdout.readline().strip() == "ready"
    operations = outcomes = escapes = refused = 0
    escaped: dict[str, int] = {}
    untyped: list[str] = []
    started = time.monotonic()
    try:
        for name, operation in _operations(store):
            operations += 1
            try:
                result = operation()
                outcomes += 1
            except RemoteStoreError as exc:
                result = None
                refused += "escapes" in str(exc)
            except Exception as exc:  # every refusal must be typed
                result = None
                untyped.append(f"{name}: {type(exc).__name__}: {exc}")
            # a change outside stays until rebuilt, so looking every 16 operations misses none
            # (it then counts once, for the operation that revealed it)
            if _leaked(name, result) or (
                operations % 16 == 0 and _outside_state(outside) != baseline
            ):
                escapes += 1
                escaped[name] = escaped.get(name, 0) + 1
                _build_outside(outside)
                baseline = _outside_state(outside)
            if operations >= 10_000 and time.monotonic() - started > 1:
                break
            if time.monotonic() - started > 180:
                break
    finally:
        stop.touch()
        out, _ = swapper.communicate(timeout=60)
    if _outside_state(outside) != baseline:
        escapes += 1
    seconds = time.monotonic() - started
    swaps = int(out.strip() or 0)
    print(
        f"{resolution}: {operations} operations, {escapes} escapes, {refused} refused as "
        f"escaping, {outcomes} succeeded, {swaps} swaps, {seconds:.1f} s"
    )
    assert operations >= 10_000
    assert escapes == 0, escaped
    assert untyped == [], untyped[:5]
    assert swaps > 1000  # the race was live ...
    assert refused > 100 and outcomes > 100  # ... and both sides of it were hit
    assert not any(name.startswith(".~rs-") for name in os.listdir(outside))
