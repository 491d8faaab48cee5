"""Pickled stores carry no OS handle: a local store pickles its root path and the folder's
identity, a memory store pickles a snapshot; copies never share a descriptor or a lock."""

from __future__ import annotations

import ast
import copy
import multiprocessing
import os
import pickle
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from remote_store import NotFound, Store
from remote_store.backends import LocalBackend, MemoryBackend

# The spawned child's code; written to a file the child imports (pytest's importlib mode
# makes this test module itself unimportable by name in another process).
_CHILD = r"""
import os, pickle, sys

KEPT = []  # stores still alive at interpreter exit: their finalisers run then


def main(data, decoys, parent_fd, stderr_path, result_path):
    err = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(err, 2)
    sys.stderr = open(2, "w", closefd=False)
    held = [os.open(d, os.O_RDONLY | os.O_DIRECTORY) for d in decoys]
    # the parent's root descriptor number is open here, on a decoy folder
    collided = parent_fd in held
    store = pickle.loads(data)
    store.write("from-child.txt", b"child", overwrite=True)
    read_back = store.read_bytes("from-child.txt")
    parent_file = store.read_bytes("from-parent.txt")
    listed = sorted(str(f.path) for f in store.list_files("", recursive=True))
    second = pickle.loads(data)
    second.write("sub/second.txt", b"second")
    second.close()
    second.backend.close()  # twice: never raises
    still = store.read_bytes("sub/second.txt")
    KEPT.extend([store, pickle.loads(data)])  # one never used: a lazy handle never opened
    with open(result_path, "w") as out:
        out.write(repr((collided, read_back, parent_file, listed, still)))
"""


@pytest.fixture
def child_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    folder = tmp_path / "child_code"
    folder.mkdir()
    (folder / "rs_pickle_child.py").write_text(_CHILD)
    monkeypatch.syspath_prepend(str(folder))
    import rs_pickle_child  # type: ignore[import-not-found]

    yield rs_pickle_child
    sys.modules.pop("rs_pickle_child", None)


def _tree(folder: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_local_store_unpickled_in_a_spawned_process_with_colliding_fds(
    tmp_path: Path, child_module: object
) -> None:
    root = tmp_path / "root"
    store = Store(LocalBackend(root=root))
    store.write("from-parent.txt", b"parent")
    parent_fd = store.backend._root_fd  # type: ignore[attr-defined]
    assert parent_fd >= 0
    decoys = []
    for index in range(max(parent_fd + 4, 24)):
        decoy = tmp_path / "decoys" / f"d{index}"
        decoy.mkdir(parents=True)
        (decoy / "from-child.txt").write_bytes(b"decoy must stay")
        decoys.append(str(decoy))
    before = _tree(tmp_path / "decoys")
    data = pickle.dumps(store)
    state = store.backend.__getstate__()
    assert isinstance(state, dict)
    assert set(state) == {"root", "identity"}
    stderr_path, result_path = tmp_path / "child.err", tmp_path / "child.out"
    process = multiprocessing.get_context("spawn").Process(
        target=child_module.main,  # type: ignore[attr-defined]
        args=(data, decoys, parent_fd, str(stderr_path), str(result_path)),
    )
    process.start()
    process.join(50)
    assert process.exitcode == 0, stderr_path.read_text()
    collided, read_back, parent_file, listed, still = ast.literal_eval(result_path.read_text())
    assert collided is True
    assert (read_back, parent_file, still) == (b"child", b"parent", b"second")
    assert listed == ["from-child.txt", "from-parent.txt"]
    assert stderr_path.read_text() == ""  # no traceback, no EBADF at the child's exit
    assert _tree(tmp_path / "decoys") == before
    assert _tree(root) == {
        "from-child.txt": b"child",
        "from-parent.txt": b"parent",
        "sub": None,
        "sub/second.txt": b"second",
    }
    assert store.read_bytes("from-child.txt") == b"child"  # the original still works
    store.write("after.txt", b"a")
    store.close()


def test_same_process_copy_has_its_own_descriptor(local_root: Path) -> None:
    store = Store(LocalBackend(root=local_root))
    store.write("a.txt", b"a")
    twin = pickle.loads(pickle.dumps(store))
    assert twin.read_bytes("a.txt") == b"a"
    original_fd = store.backend._root_fd  # type: ignore[attr-defined]
    twin_fd = twin.backend._root_fd
    assert twin_fd >= 0 and twin_fd != original_fd
    twin.close()
    twin.backend.close()
    assert store.read_bytes("a.txt") == b"a"
    store.write("b.txt", b"b")
    assert os.fstat(original_fd)  # still open: the copy closed only its own
    deep = copy.deepcopy(store.backend)
    assert Store(deep).read_bytes("b.txt") == b"b"
    del deep, twin


def test_close_and_finaliser_never_raise(local_root: Path) -> None:
    backend = LocalBackend(root=local_root)
    fd = backend._root_fd
    os.close(fd)  # someone closed our descriptor behind our back
    backend.close()  # EBADF swallowed
    backend.close()
    backend.__del__()
    # used again after close: it reopens its own descriptor
    assert Store(backend).exists("") is True
    backend.close()


def test_unpickled_store_refuses_a_replaced_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    store = Store(LocalBackend(root=root))
    store.write("a.txt", b"a")
    data = pickle.dumps(store)
    store.close()
    root.rename(tmp_path / "moved")
    root.mkdir()
    (root / "a.txt").write_bytes(b"impostor")
    copy_store = pickle.loads(data)
    with pytest.raises(NotFound, match="replaced"):
        copy_store.read_bytes("a.txt")
    with pytest.raises(NotFound, match="replaced"):
        copy_store.write("b.txt", b"b")
    assert not (root / "b.txt").exists()
    shutil.rmtree(root)
    root.symlink_to(tmp_path / "moved", target_is_directory=True)
    with pytest.raises(NotFound, match="replaced"):
        pickle.loads(data).exists("a.txt")
    root.unlink()
    with pytest.raises(NotFound, match="missing"):
        pickle.loads(data).exists("a.txt")
    # the original folder, back in place, is accepted again
    (tmp_path / "moved").rename(root)
    assert pickle.loads(data).read_bytes("a.txt") == b"a"


def test_memory_store_pickles_as_an_independent_snapshot() -> None:
    store = Store(MemoryBackend())
    store.write("a/b.txt", b"b", metadata={"k": "v"})
    data = pickle.dumps(store)
    assert b"RLock" not in data and b"_thread" not in data
    twin = pickle.loads(data)
    assert twin.read_bytes("a/b.txt") == b"b"
    assert twin.get_file_info("a/b.txt").metadata == {"k": "v"}
    twin.write("a/c.txt", b"c")
    store.delete("a/b.txt")
    assert not store.exists("a/c.txt")
    assert twin.exists("a/b.txt")
    shallow = copy.copy(store.backend)
    Store(shallow).write("only-in-shallow.txt", b"s")
    assert not store.exists("only-in-shallow.txt")
    assert [str(p.path) for p in twin.list_files("", recursive=True)] == ["a/b.txt", "a/c.txt"]


def test_async_memory_backend_pickles_too() -> None:
    from remote_store.aio import AsyncMemoryBackend

    backend = AsyncMemoryBackend()
    backend._tree.write("k.txt", b"v")
    twin = pickle.loads(pickle.dumps(backend))
    assert twin._tree.read_bytes("k.txt") == b"v"
