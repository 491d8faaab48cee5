"""Fixtures shared by the core tests: a store over each embedded backend, and snapshots
that prove a refused call changed nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_store import Store
from remote_store.backends import LocalBackend, MemoryBackend

BACKENDS = ["local", "memory"]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the local root: symlink escapes point here."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(b"outside secret")
    return folder


@pytest.fixture
def local_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    return root


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store over a fresh local folder or a fresh memory backend."""
    if request.param == "local":
        backend: Any = LocalBackend(root=tmp_path / "root")
    else:
        backend = MemoryBackend()
    with Store(backend) as result:
        yield result


@pytest.fixture
def local_store(local_root: Path) -> Iterator[Store]:
    with Store(LocalBackend(root=local_root)) as result:
        yield result


@pytest.fixture
def memory_store() -> Iterator[Store]:
    with Store(MemoryBackend()) as result:
        yield result


def snapshot_store(store: Store) -> object:
    """Everything a store's backend holds, hidden files and symlinks included."""
    backend = store.backend
    if isinstance(backend, MemoryBackend):
        return (
            {key: (f[0], f[2]) for key, f in backend._files.items()},
            {key: sorted(names) for key, names in backend._folders.items()},
        )
    assert isinstance(backend, LocalBackend)
    return snapshot_folder(Path(backend.root).parent)


def snapshot_folder(folder: Path) -> dict[str, object]:
    """Relative path -> content, ``"<dir>"`` or ``"-> target"`` for every entry below."""
    tree: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = str(full.relative_to(folder))
            if full.is_symlink():
                tree[rel] = "-> " + os.readlink(full)
            elif full.is_dir():
                tree[rel] = "<dir>"
            else:
                tree[rel] = full.read_bytes()
    return tree


def populate_store(store: Store) -> None:
    """A small tree used by many tests."""
    store.write("a.txt", b"A")
    store.write("docs/readme.md", b"readme")
    store.write("docs/guide/intro.md", b"intro")
    store.write("docs/guide/deep/x.md", b"xx")
    store.write("data/2026/jan.csv", b"1,2\n")


@pytest.fixture(name="snapshot")
def snapshot_fixture() -> Any:
    """``snapshot(store)``: the whole backend content, for before/after comparisons."""
    return snapshot_store


@pytest.fixture(name="populate")
def populate_fixture() -> Any:
    """``populate(store)``: write the small standard tree."""
    return populate_store
