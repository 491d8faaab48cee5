"""aio.ext.tree: the async folder operations (same outcomes and errors as ext.tree)."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from remote_store.aio import AsyncMemoryBackend, AsyncStore
from remote_store.aio.ext.tree import (
    TreeProgress,
    copy_tree,
    download_tree,
    move_tree,
    sync_tree,
    upload_tree,
)
from remote_store.errors import AlreadyExists, InvalidArgument, NotFound, TreeTransferError

FILES = {"a.txt": b"alpha", "sub/b.bin": bytes(range(256)) * 9000, "sub/deep/c": b""}


async def fill(store: AsyncStore, folder: str, files: dict[str, bytes] = FILES) -> None:
    for name, data in files.items():
        await store.write(f"{folder}/{name}" if folder else name, data)


async def contents(store: AsyncStore, folder: str) -> dict[str, bytes]:
    cut = len(folder) + 1 if folder else 0
    return {
        str(info.path)[cut:]: await store.read_bytes(str(info.path))
        async for info in store.list_files(folder, recursive=True)
    }


def test_copy_sync_move_round(make_store: Callable[[], AsyncStore]) -> None:
    async def scenario() -> None:
        source, target = make_store(), AsyncStore(AsyncMemoryBackend())
        await fill(source, "src")
        seen: list[TreeProgress] = []
        result = await copy_tree(source, "src", target, "dst", on_progress=seen.append)
        assert await contents(target, "dst") == FILES and len(result.copied) == 3
        assert seen[-1].bytes_done == seen[-1].bytes_total == result.bytes_copied
        assert (await sync_tree(source, "src", target, "dst")).copied == []
        await source.write("src/a.txt", b"alpha two", overwrite=True)
        await target.write("dst/extra", b"x")
        synced = await sync_tree(source, "src", target, "dst", delete=True)
        assert [o.path for o in synced.copied] == ["a.txt"]
        assert [o.path for o in synced.deleted] == ["extra"]
        assert await contents(target, "dst") == await contents(source, "src")
        moved = await move_tree(target, "dst", target, "moved")  # server-side within one store
        assert len(moved.copied) == 3 and await contents(target, "dst") == {}

    asyncio.run(scenario())


def test_failures_are_all_reported(make_store: Callable[[], AsyncStore]) -> None:
    async def scenario() -> None:
        source, target = make_store(), AsyncStore(AsyncMemoryBackend())
        await fill(source, "src")
        await target.write("dst/a.txt", b"taken")
        await target.write("dst/sub/deep/c", b"taken")
        with pytest.raises(TreeTransferError) as info:
            await copy_tree(source, "src", target, "dst")
        assert set(info.value.failures) == {"a.txt", "sub/deep/c"}
        assert all(isinstance(e, AlreadyExists) for e in info.value.failures.values())
        assert await target.read_bytes("dst/sub/b.bin") == FILES["sub/b.bin"]
        assert await target.read_bytes("dst/a.txt") == b"taken"
        assert set(pickle.loads(pickle.dumps(info.value)).failures) == {"a.txt", "sub/deep/c"}

    asyncio.run(scenario())


def test_concurrency_is_bounded_by_workers() -> None:
    class Slow(AsyncMemoryBackend):
        active = peak = 0

        async def write_atomic(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            Slow.active += 1
            Slow.peak = max(Slow.peak, Slow.active)
            try:
                await asyncio.sleep(0.01)
                return await super().write_atomic(*args, **kwargs)
            finally:
                Slow.active -= 1

    async def scenario() -> None:
        source, target = AsyncStore(AsyncMemoryBackend()), AsyncStore(Slow())
        await fill(source, "", {f"f{i:02}": b"x" for i in range(20)})
        await copy_tree(source, "", target, "", workers=3)
        assert 1 < Slow.peak <= 3

    asyncio.run(scenario())


def test_move_from_a_local_folder_removes_the_emptied_folders(tmp_path: Path) -> None:
    from remote_store.aio.ext.tree import local_store

    async def scenario() -> None:
        for name, data in FILES.items():
            (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "src" / name).write_bytes(data)
        source, target = local_store(tmp_path), AsyncStore(AsyncMemoryBackend())
        async with source:
            await move_tree(source, "src", target, "moved")
        assert await contents(target, "moved") == FILES
        assert not (tmp_path / "src").exists()

    asyncio.run(scenario())


def test_upload_download_and_bad_input(tmp_path: Path) -> None:
    async def scenario() -> None:
        folder = tmp_path / "up"
        for name, data in FILES.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        store = AsyncStore(AsyncMemoryBackend())
        await upload_tree(folder, store, "r")
        await download_tree(store, "r", tmp_path / "down")
        got = {
            str(p.relative_to(tmp_path / "down")): p.read_bytes()
            for p in (tmp_path / "down").rglob("*")
            if p.is_file()
        }
        assert got == FILES
        with pytest.raises(NotFound):
            await copy_tree(store, "missing", store, "x")
        with pytest.raises(InvalidArgument):
            await copy_tree(store, "r", store, "r/inside")
        with pytest.raises(InvalidArgument):
            await sync_tree(store, "r", store, "s", compare="nope")
        with pytest.raises(NotFound):
            await upload_tree(tmp_path / "absent", store, "x")

    asyncio.run(scenario())


def test_digest_compare_dry_run_and_read_failures(make_store: Callable[[], AsyncStore]) -> None:
    class Failing(AsyncMemoryBackend):
        def read(self, path: str):  # type: ignore[no-untyped-def]
            if path.endswith("a.txt"):
                raise PermissionError("no access")
            return super().read(path)

    async def scenario() -> None:
        source, target = make_store(), AsyncStore(AsyncMemoryBackend())
        await fill(source, "src")
        await sync_tree(source, "src", target, "dst")
        await target.write("dst/a.txt", b"ALPHA", overwrite=True)  # same size, other bytes
        assert (await sync_tree(source, "src", target, "dst", compare="size")).copied == []
        await target.write("dst/old", b"x")
        plan = await sync_tree(
            source, "src", target, "dst", compare="digest", delete=True, dry_run=True
        )
        assert plan.dry_run and [o.path for o in plan.copied] == ["a.txt"]
        assert [o.path for o in plan.deleted] == ["old"] and await target.exists("dst/old")
        done = await sync_tree(source, "src", target, "dst", compare="digest")
        assert [o.path for o in done.copied] == ["a.txt"]
        assert await target.read_bytes("dst/a.txt") == b"alpha"
        broken = AsyncStore(Failing())
        await fill(broken, "src")
        with pytest.raises(TreeTransferError) as info:
            await move_tree(broken, "src", target, "moved")
        assert list(info.value.failures) == ["a.txt"]
        assert await broken.exists("src/a.txt")  # a failed move keeps its source
        assert not await broken.exists("src/sub/b.bin")

    asyncio.run(scenario())
