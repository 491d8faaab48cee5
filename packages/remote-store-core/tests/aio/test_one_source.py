"""Cases where the hand-written sync and async stores differed, now one source.

Each operation of ``Store`` is generated from ``AsyncStore``'s source
(``remote_store/aio/_store_ops.py``), so both check arguments in the same order. The
hand-written sync store checked a write's content only after asking the backend whether
the file existed (a refusal after I/O, and ``AlreadyExists`` instead of the argument
error); the async store refused first.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from remote_store import Capability, CapabilitySet, Store
from remote_store.aio import AsyncStore, SyncBackendAdapter
from remote_store.backends import MemoryBackend
from remote_store.errors import InvalidArgument


class _NoExclusiveCreate(MemoryBackend):
    """A backend on which the Store checks for an existing file itself; counts the checks."""

    CAPABILITIES = CapabilitySet(MemoryBackend.CAPABILITIES - {Capability.EXCLUSIVE_CREATE})

    def __init__(self) -> None:
        super().__init__()
        self.is_file_calls = 0

    def is_file(self, path: str) -> bool:
        self.is_file_calls += 1
        return super().is_file(path)


@pytest.mark.parametrize("operation", ["write", "write_atomic"])
def test_bad_content_is_refused_before_any_io_on_both_stores(operation: str) -> None:
    backend = _NoExclusiveCreate()
    backend.write("a.txt", b"old")
    bad: Any = None
    store = Store(backend)
    with pytest.raises(InvalidArgument, match="content must be"):
        getattr(store, operation)("a.txt", bad)
    assert backend.is_file_calls == 0

    async def scenario() -> None:
        async with AsyncStore(SyncBackendAdapter(backend), _owns=False) as astore:
            with pytest.raises(InvalidArgument, match="content must be"):
                await getattr(astore, operation)("a.txt", bad)

    asyncio.run(scenario())
    assert backend.is_file_calls == 0
    assert store.read_bytes("a.txt") == b"old"


def test_a_deep_folder_walk_yields_the_same_folders_in_both_flavours() -> None:
    backend = MemoryBackend()
    deep = "/".join(f"d{level}" for level in range(60))
    backend.write(f"{deep}/f.txt", b"x")
    backend.write("d0/side/f.txt", b"x")
    store = Store(backend, _owns=False)
    sync_paths = [str(e.path) for e in store.list_folders("", max_depth=100)]

    async def scenario() -> list[str]:
        async with AsyncStore(backend, _owns=False) as astore:
            return [str(e.path) async for e in astore.list_folders("", max_depth=100)]

    assert asyncio.run(scenario()) == sync_paths
    assert len(sync_paths) == 61 and sync_paths[:2] == ["d0", "d0/d1"]
