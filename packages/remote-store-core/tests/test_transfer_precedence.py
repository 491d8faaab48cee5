"""move/copy check the source first, whichever path (native or emulated) the Store takes.

The Store checks the destination itself when the backend does not declare
EXCLUSIVE_CREATE; these tests run every precedence case through both paths, sync and
async, so the error never depends on a capability (docs/errors.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from remote_store import Capability, CapabilitySet, Store
from remote_store.aio import AsyncMemoryBackend, AsyncStore
from remote_store.backends import MemoryBackend
from remote_store.errors import AlreadyExists, InvalidPath, NotFound, RemoteStoreError


class NoExclusiveCreate(MemoryBackend):
    """The memory backend, as a third-party backend without create-exclusive writes."""

    CAPABILITIES = CapabilitySet(MemoryBackend.CAPABILITIES - {Capability.EXCLUSIVE_CREATE})


class AsyncNoExclusiveCreate(AsyncMemoryBackend):
    """The async memory backend without create-exclusive writes."""

    CAPABILITIES = CapabilitySet(AsyncMemoryBackend.CAPABILITIES - {Capability.EXCLUSIVE_CREATE})


# (source, destination, expected error): the tree holds s.txt, d.txt, folder/inner.txt
CASES = [
    ("missing.txt", "d.txt", NotFound),  # missing source + existing destination
    ("folder", "d.txt", InvalidPath),  # source is a folder + destination exists
    ("missing.txt", "d.txt/below.txt", NotFound),  # missing source + parent is a file
    ("s.txt", "d.txt/below.txt", InvalidPath),  # destination's parent is a file
    ("s.txt", "folder", InvalidPath),  # destination is a folder
    ("missing.txt", "folder", NotFound),  # missing source onto a folder
]
TREE = {"s.txt": b"source", "d.txt": b"destination", "folder/inner.txt": b"inner"}


@pytest.mark.parametrize("backend_class", [MemoryBackend, NoExclusiveCreate])
@pytest.mark.parametrize("op", ["move", "copy"])
@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize(("src", "dst", "expected"), CASES)
def test_sync_transfer_error_precedence(
    backend_class: type[MemoryBackend],
    op: str,
    overwrite: bool,
    src: str,
    dst: str,
    expected: type[RemoteStoreError],
) -> None:
    store = Store(backend_class())
    for path, data in TREE.items():
        store.write(path, data)
    with pytest.raises(expected):
        getattr(store, op)(src, dst, overwrite=overwrite)
    files = store.list_files("", recursive=True)
    assert {str(i.path): store.read_bytes(str(i.path)) for i in files} == TREE


@pytest.mark.parametrize("backend_class", [AsyncMemoryBackend, AsyncNoExclusiveCreate])
@pytest.mark.parametrize("op", ["move", "copy"])
@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize(("src", "dst", "expected"), CASES)
def test_async_transfer_error_precedence(
    backend_class: type[AsyncMemoryBackend],
    op: str,
    overwrite: bool,
    src: str,
    dst: str,
    expected: type[RemoteStoreError],
) -> None:
    async def body() -> None:
        async with AsyncStore(backend_class()) as store:
            for path, data in TREE.items():
                await store.write(path, data)
            method: Callable[..., Awaitable[None]] = getattr(store, op)
            with pytest.raises(expected):
                await method(src, dst, overwrite=overwrite)
            assert await store.read_bytes("d.txt") == TREE["d.txt"]
            assert await store.read_bytes("s.txt") == TREE["s.txt"]
            assert await store.read_bytes("folder/inner.txt") == TREE["folder/inner.txt"]

    asyncio.run(body())


def test_the_emulated_path_still_refuses_an_existing_destination() -> None:
    store = Store(NoExclusiveCreate())
    store.write("s.txt", b"source")
    store.write("d.txt", b"destination")
    for op in (store.move, store.copy):
        with pytest.raises(AlreadyExists):
            op("s.txt", "d.txt")
    assert store.read_bytes("d.txt") == b"destination"
