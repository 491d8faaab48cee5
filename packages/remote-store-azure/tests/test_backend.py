"""Azure-specific behaviour on Azurite: blocks, ranged reads, etags, names, options."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from collections.abc import Callable
from typing import Any

import pytest
from remote_store import Capability, Store
from remote_store.errors import (
    AlreadyExists,
    ConfigError,
    InvalidPath,
    NotFound,
    PreconditionFailed,
    RemoteStoreError,
)
from remote_store_azure import AsyncAzureBackend, AzureBackend

SMALL_BLOCKS = {"max_block_size": 64 * 1024}


class Exploding(io.RawIOBase):
    """A source that yields ``good`` bytes and then fails."""

    def __init__(self, good: bytes) -> None:
        self._good = io.BytesIO(good)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._good.read(len(buffer))
        if not data:
            raise OSError("source failed")
        buffer[: len(data)] = data
        return len(data)


def test_0_27_import_names_resolve() -> None:
    from remote_store.aio import AsyncAzureBackend as Async027
    from remote_store.backends import AzureBackend as Sync027

    assert Sync027 is AzureBackend
    assert Async027 is AsyncAzureBackend


def test_block_upload_with_parallel_blocks_round_trips(
    make_backend: Callable[..., AzureBackend], azurite: Any
) -> None:
    backend = make_backend(client_options=SMALL_BLOCKS, max_concurrency=4)
    data = os.urandom(1024 * 1024 + 123)
    result = Store(backend).write("big/blob.bin", io.BytesIO(data), metadata={"k": "v"})
    assert result.size == len(data)
    assert result.digest is not None and result.digest.value == hashlib.md5(data).hexdigest()
    info = Store(backend).get_file_info("big/blob.bin")
    assert info.digest == result.digest
    assert dict(info.metadata or {}) == {"k": "v"}
    assert Store(backend).read_bytes("big/blob.bin") == data
    container = backend.resolve("").details["container"]
    with azurite.service() as service:
        blob = service.get_blob_client(container, "big/blob.bin")
        committed, _ = blob.get_block_list("committed")
    assert len(committed) == 17  # 16 full 64 KiB blocks and the rest


def test_failed_block_upload_keeps_the_old_blob(make_backend: Callable[..., AzureBackend]) -> None:
    store = Store(make_backend(client_options=SMALL_BLOCKS))
    store.write("keep.bin", b"old")
    with pytest.raises(RemoteStoreError, match="OSError"):
        store.write(
            "keep.bin", io.BufferedReader(Exploding(os.urandom(300 * 1024))), overwrite=True
        )
    with pytest.raises(RemoteStoreError, match="OSError"):
        store.write("new.bin", io.BufferedReader(Exploding(os.urandom(300 * 1024))))
    assert store.read_bytes("keep.bin") == b"old"
    assert not store.exists("new.bin")


def test_block_upload_without_overwrite_refuses_an_existing_blob(
    make_backend: Callable[..., AzureBackend],
) -> None:
    store = Store(make_backend(client_options=SMALL_BLOCKS))
    store.write("x.bin", b"first")
    with pytest.raises(AlreadyExists):
        store.write("x.bin", io.BytesIO(os.urandom(200 * 1024)))
    assert store.read_bytes("x.bin") == b"first"


def test_read_seekable_uses_ranges(backend: AzureBackend) -> None:
    data = os.urandom(700 * 1024)
    store = Store(backend)
    store.write("seek.bin", data)
    with store.read_seekable("seek.bin") as stream:
        assert stream.seekable()
        stream.seek(500_000)
        assert stream.read(10) == data[500_000:500_010]
        stream.seek(-7, io.SEEK_END)
        assert stream.read() == data[-7:]
        assert stream.read(5) == b""
        stream.seek(3)
        assert stream.read(4) == data[3:7]
    with pytest.raises(NotFound):
        store.read_seekable("missing.bin")


def test_write_if_match_replaces_only_the_expected_version(backend: AzureBackend) -> None:
    first = backend.write("v.txt", b"one")
    assert first.etag
    second = backend.write_if_match("v.txt", b"two", etag=first.etag)
    assert Store(backend).read_bytes("v.txt") == b"two"
    with pytest.raises(PreconditionFailed):
        backend.write_if_match("v.txt", io.BytesIO(b"three"), etag=first.etag)
    assert second.etag != first.etag
    assert Store(backend).read_bytes("v.txt") == b"two"


def test_hns_auto_detects_a_flat_account(make_backend: Callable[..., AzureBackend]) -> None:
    backend = make_backend(hns="auto")
    assert Capability.ATOMIC_MOVE not in backend.capabilities
    store = Store(backend)
    store.write("d/x.txt", b"x")
    assert store.is_folder("d")
    assert backend.resolve("d").details["hns"] is False
    assert Capability.ATOMIC_MOVE not in backend.capabilities


def test_reject_write_under_file_ancestor(make_backend: Callable[..., AzureBackend]) -> None:
    store = Store(make_backend(reject_write_under_file_ancestor=True))
    store.write("plain.txt", b"x")
    store.write("dir/inner.txt", b"x")
    with pytest.raises(InvalidPath):
        store.write("plain.txt/child.txt", b"y")
    with pytest.raises(InvalidPath):
        store.write("dir", b"y", overwrite=True)
    assert store.is_file("plain.txt") and not store.exists("plain.txt/child.txt")


def test_listing_orders_folders_as_name_slash(backend: AzureBackend) -> None:
    store = Store(backend)
    for key in ("a-b.txt", "a/x.txt", "a0.txt", "a.txt", "b/c/d.txt"):
        store.write(key, b".")
    children = [str(e.path) for e in store.iter_children("")]
    assert children == ["a-b.txt", "a.txt", "a", "a0.txt", "b"]
    flat = [str(i.path) for i in store.list_files("", recursive=True)]
    assert flat == sorted(flat) == ["a-b.txt", "a.txt", "a/x.txt", "a0.txt", "b/c/d.txt"]


def test_listing_pages_through_many_blobs(make_backend: Callable[..., AzureBackend]) -> None:
    backend = make_backend()
    names = [f"p/{i:04d}.txt" for i in range(30)] + [f"p/sub{i:02d}/x" for i in range(5)]

    async def fill() -> None:
        async_backend = backend.async_backend
        await asyncio.gather(*(async_backend.write(n, b".") for n in names))

    backend._run(fill)
    container = backend._azure._containers()
    backend._azure._containers = lambda: _PagedContainer(container, 7)  # type: ignore[method-assign]
    store = Store(backend)
    children = [str(e.path) for e in store.iter_children("p")]
    assert children == sorted(names[:30]) + [f"p/sub{i:02d}" for i in range(5)]
    assert len(list(store.list_files("p", recursive=True))) == 35


class _PagedContainer:
    """The real container client with a small page size forced on its listings."""

    def __init__(self, inner: Any, per_page: int) -> None:
        self._inner = inner
        self._per_page = per_page

    def walk_blobs(self, **kwargs: Any) -> Any:
        return self._inner.walk_blobs(results_per_page=self._per_page, **kwargs)

    def list_blobs(self, **kwargs: Any) -> Any:
        kwargs.setdefault("results_per_page", self._per_page)
        return self._inner.list_blobs(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_options_are_validated() -> None:
    with pytest.raises(ConfigError):
        AzureBackend("", connection_string="x")
    with pytest.raises(ConfigError):
        AzureBackend("c")  # no account at all
    with pytest.raises(ConfigError):
        AzureBackend("c", account_url="http://127.0.0.1:1/a", account_key="k")
    with pytest.raises(ConfigError):
        AzureBackend("c", account_name="a", hns="maybe")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        AzureBackend("c", account_name="a", max_concurrency=0)


def test_native_path_and_resolve(backend: AzureBackend) -> None:
    container = backend.resolve("").details["container"]
    assert backend.native_path("a/b.txt") == f"{container}/a/b.txt"
    assert backend.to_key(f"{container}/a/b.txt") == "a/b.txt"
    assert backend.resolve("a").kind == "azure-blob"
