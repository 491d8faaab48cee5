"""Cancelling a task in the middle of a write, or a failing source, leaves the old file."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from remote_store.aio import AsyncStore
from remote_store.errors import InvalidPath, RemoteStoreError
from rs_aio_testing import run

Factory = Callable[[], AsyncStore]


async def _endless(started: asyncio.Event) -> AsyncIterator[bytes]:
    """A source that sends some data, then waits forever for more."""
    for _ in range(3):
        yield b"n" * 65536
    started.set()
    await asyncio.Event().wait()
    yield b"never"  # pragma: no cover


async def _failing() -> AsyncIterator[bytes]:
    yield b"partial"
    raise ValueError("source broke")


def _visible_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("method", ["write", "write_atomic"])
def test_cancelled_write_leaves_the_old_file(
    make_store: Factory, backend_kind: str, tmp_path: Path, method: str
) -> None:
    async def body() -> None:
        async with make_store() as store:
            await store.write("doc", b"old content")
            started = asyncio.Event()
            write = getattr(store, method)
            task = asyncio.create_task(write("doc", _endless(started), overwrite=True))
            await asyncio.wait_for(started.wait(), 30)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await store.read_bytes("doc") == b"old content"
            names = [str(f.path) async for f in store.list_files("", recursive=True)]
            assert names == ["doc"]

    run(body())
    if backend_kind == "sync-adapter-local":
        assert _visible_files(tmp_path / "root") == ["doc"]  # no temporary file left behind


def test_cancelled_new_file_leaves_nothing(make_store: Factory, backend_kind: str) -> None:
    async def body() -> None:
        async with make_store() as store:
            started = asyncio.Event()
            task = asyncio.create_task(store.write("fresh", _endless(started)))
            await asyncio.wait_for(started.wait(), 30)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert not await store.exists("fresh")

    run(body())


def test_failing_source_leaves_the_old_file(
    make_store: Factory, backend_kind: str, tmp_path: Path
) -> None:
    async def body() -> None:
        async with make_store() as store:
            await store.write("doc", b"old")
            with pytest.raises(RemoteStoreError, match="ValueError"):
                await store.write("doc", _failing(), overwrite=True)
            assert await store.read_bytes("doc") == b"old"

    run(body())
    if backend_kind == "sync-adapter-local":
        assert os.listdir(tmp_path / "root") == ["doc"]


def test_refused_streamed_write_does_not_hang(make_store: Factory) -> None:
    """The sync write refusing early (target is a folder) must stop the feeding task."""

    async def many() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"z" * 65536

    async def body() -> None:
        async with make_store() as store:
            await store.write("folder/inner", b"x")
            with pytest.raises(InvalidPath):
                await store.write("folder", many(), overwrite=True)
            assert await store.is_folder("folder")

    run(body(), timeout=30)
