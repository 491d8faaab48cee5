"""Create-only races (one winner) and move safety (the source survives a failed copy)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from remote_store import FileInfo, Store
from remote_store.errors import AlreadyExists, PreconditionFailed, RemoteStoreError
from remote_store_azure import AsyncAzureBackend, AzureBackend


def _race(stores: list[Store], key: str, size: int, streamed: bool) -> tuple[list[bytes], int]:
    """Both stores write ``key`` create-only at once: (winning payloads, other errors)."""
    barrier = threading.Barrier(len(stores))
    won: list[bytes] = []
    refused: list[BaseException] = []
    other: list[BaseException] = []

    def attempt(index: int) -> None:
        payload = bytes([index + 65]) * size
        content: Any = io.BytesIO(payload) if streamed else payload
        barrier.wait()
        try:
            stores[index].write(key, content)
        except AlreadyExists as exc:
            refused.append(exc)
        except BaseException as exc:
            other.append(exc)
        else:
            won.append(payload)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not other, other
    assert len(refused) == len(stores) - len(won)
    return won, len(other)


@pytest.mark.parametrize("streamed", [False, True], ids=["put-blob", "block-list"])
def test_two_create_only_writers_exactly_one_wins(
    make_backend: Callable[..., AzureBackend], streamed: bool
) -> None:
    """Two backends (two clients) race ``overwrite=False`` on one key, ten rounds."""
    first = make_backend(client_options={"max_block_size": 64 * 1024})
    container = first.resolve("").details["container"]
    second = make_backend(container=container, client_options={"max_block_size": 64 * 1024})
    stores = [Store(first), Store(second)]
    size = 200 * 1024 if streamed else 16
    for round_no in range(10):
        key = f"race/{round_no}.bin"
        won, errors = _race(stores, key, size, streamed)
        assert errors == 0
        assert len(won) == 1, f"round {round_no}: {len(won)} winners"
        assert stores[0].read_bytes(key) == won[0]
        assert stores[1].read_bytes(key) == won[0]


def test_move_keeps_the_source_when_the_server_refuses_the_copy(
    azurite: Any, backend: AzureBackend
) -> None:
    """A leased destination makes the server refuse the copy: nothing is deleted."""
    store = Store(backend)
    container = backend.resolve("").details["container"]
    store.write("src.txt", b"source", metadata={"m": "1"})
    store.write("dst.txt", b"leased destination")
    with azurite.service() as service:
        lease = service.get_blob_client(container, "dst.txt").acquire_lease(lease_duration=-1)
        with pytest.raises(PreconditionFailed):
            store.move("src.txt", "dst.txt", overwrite=True)
        assert store.read_bytes("src.txt") == b"source"
        assert store.read_bytes("dst.txt") == b"leased destination"
        lease.break_lease(lease_break_period=0)
    store.move("src.txt", "dst.txt", overwrite=True)  # once the lease is gone it works
    assert store.read_bytes("dst.txt") == b"source"
    assert not store.exists("src.txt")
    assert dict(store.get_file_info("dst.txt").metadata or {}) == {"m": "1"}


def test_move_without_overwrite_keeps_both_files(backend: AzureBackend) -> None:
    store = Store(backend)
    store.write("a.txt", b"a")
    store.write("b.txt", b"b")
    with pytest.raises(AlreadyExists):
        store.move("a.txt", "b.txt")
    assert store.read_bytes("a.txt") == b"a"
    assert store.read_bytes("b.txt") == b"b"


class _SourceChangesAfterCopy(AsyncAzureBackend):
    """A real backend where another writer replaces the source right after the copy."""

    async def _server_copy(self, source: FileInfo, dst: str, overwrite: bool) -> None:
        await super()._server_copy(source, dst, overwrite)
        await self.write(str(source.path), b"newer source", overwrite=True)


def test_move_never_deletes_a_source_changed_during_the_move(azurite: Any) -> None:
    backend = _SourceChangesAfterCopy(
        azurite.new_container(), connection_string=azurite.connection_string
    )
    from remote_store.aio import AsyncBackendSyncAdapter

    store = Store(AsyncBackendSyncAdapter(backend))
    store.write("s.txt", b"old source")
    with pytest.raises(PreconditionFailed):
        store.move("s.txt", "d.txt")
    assert store.read_bytes("s.txt") == b"newer source"  # the newer version survives
    assert store.read_bytes("d.txt") == b"old source"  # the copied version is there
    store.close()


def test_copy_of_a_missing_source_changes_nothing(backend: AzureBackend) -> None:
    store = Store(backend)
    store.write("d.txt", b"d")
    with pytest.raises(RemoteStoreError):
        store.copy("nope.txt", "d.txt", overwrite=True)
    assert store.read_bytes("d.txt") == b"d"
