"""ext.tree and aio.ext.tree decide the same things the same way: the nesting refusal, the
local-folder checks, the type check and a dry run's outcomes (one I/O-free module)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from remote_store import Store
from remote_store.aio import AsyncStore
from remote_store.aio.ext import tree as async_tree
from remote_store.backends import MemoryBackend
from remote_store.errors import InvalidArgument, InvalidPath, NotFound
from remote_store.ext import tree as sync_tree

NESTING = [
    ("src", "src", True),
    ("src", "src/inner", True),
    ("src/", "./src/deeper/", True),
    ("", "anything", True),
    ("src", "srcx", False),
    ("src/a", "src/b", False),
]


@pytest.mark.parametrize(("source", "target", "refused"), NESTING)
def test_nesting_is_refused_alike(source: str, target: str, refused: bool) -> None:
    backend = MemoryBackend()
    store = Store(backend, "root", _owns=False)
    store.write(f"{source.strip('./') or 'x'}/f.txt", b"1")
    outcomes: list[str] = []
    try:
        sync_tree.copy_tree(store, source, store, target, overwrite=True)
        outcomes.append("ok")
    except InvalidArgument as exc:
        outcomes.append(str(exc))

    async def run() -> None:
        async with AsyncStore(backend, "root", _owns=False) as astore:
            try:
                await async_tree.copy_tree(astore, source, astore, target, overwrite=True)
                outcomes.append("ok")
            except InvalidArgument as exc:
                outcomes.append(str(exc))

    asyncio.run(run())
    assert outcomes[0] == outcomes[1]
    assert (outcomes[0] != "ok") is refused


def test_local_folder_checks_alike(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_bytes(b"x")
    for number, make in enumerate((sync_tree.local_store, async_tree.local_store)):
        with pytest.raises(InvalidPath):
            make(a_file)
        with pytest.raises(NotFound):
            make(tmp_path / f"missing{number}")
        make(tmp_path / f"missing{number}", must_exist=False)  # a download's target


def test_wrong_store_types_are_refused_alike() -> None:
    store = Store(MemoryBackend())
    with pytest.raises(InvalidArgument, match="expected a Store, not AsyncStore"):
        sync_tree.copy_tree(AsyncStore(MemoryBackend()), "", store, "x")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="expected an AsyncStore, not Store"):
        asyncio.run(async_tree.copy_tree(store, "", AsyncStore(MemoryBackend()), "x"))  # type: ignore[arg-type]


def test_dry_run_outcomes_alike() -> None:
    backend = MemoryBackend()
    store = Store(backend, _owns=False)
    for name in ("a.txt", "b/c.txt", "d.txt"):
        store.write(f"src/{name}", name.encode())
    store.write("dst/a.txt", b"a.txt")  # same size: skipped unless newer
    store.write("dst/extra.txt", b"x")
    sync = sync_tree.sync_tree(store, "src", store, "dst", delete=True, dry_run=True)

    async def run() -> async_tree.TreeResult:
        async with AsyncStore(backend, _owns=False) as astore:
            return await async_tree.sync_tree(
                astore, "src", astore, "dst", delete=True, dry_run=True
            )

    assert asyncio.run(run()) == sync
    assert [(o.path, o.status) for o in sync.outcomes] == [
        ("a.txt", "skipped"),
        ("b/c.txt", "copied"),
        ("d.txt", "copied"),
        ("extra.txt", "deleted"),
    ]
