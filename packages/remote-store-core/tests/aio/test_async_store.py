"""AsyncStore behaviour over AsyncMemoryBackend and SyncBackendAdapter(LocalBackend)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from remote_store import Capability, FileInfo, FolderEntry
from remote_store.aio import AsyncReadStream, AsyncStore
from remote_store.aio.ext.write import write_with_hash
from remote_store.errors import (
    AlreadyExists,
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidArgument,
    InvalidPath,
    NotFound,
)
from rs_aio_testing import chunks_of, run

Factory = Callable[[], AsyncStore]


def test_write_bytes_then_read_back(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            result = await store.write("a/b.txt", b"hello")
            assert result.path == "a/b.txt" and result.size == 5
            assert await store.read_bytes("a/b.txt") == b"hello"
            assert await store.read_text("a/b.txt") == "hello"

    run(body())


def test_write_accepts_async_iterator_and_sync_stream(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            result = await store.write("it.bin", chunks_of(b"ab", b"", b"cd", bytearray(b"e")))
            assert result.size == 5
            assert await store.read_bytes("it.bin") == b"abcde"
            stream = io.BytesIO(b"xxpayload")
            stream.seek(2)  # read from the current position
            await store.write("s.bin", stream)
            assert await store.read_bytes("s.bin") == b"payload"

    run(body())


def test_read_is_an_async_iterator_of_chunks(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            data = bytes(range(256)) * 20_000  # about 5 MiB: several chunks
            await store.write("big.bin", data)
            stream = store.read("big.bin")
            assert isinstance(stream, AsyncReadStream)
            chunks = [chunk async for chunk in stream]
            assert len(chunks) > 1
            assert b"".join(chunks) == data

    run(body())


def test_read_checks_the_path_before_any_await(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            with pytest.raises(InvalidPath):
                store.read("../escape")
            with pytest.raises(InvalidPath):
                store.read("")

    run(body())


def test_missing_file_is_not_found(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            with pytest.raises(NotFound):
                await store.read_bytes("missing")
            with pytest.raises(NotFound):
                async with store.read("missing") as stream:
                    await stream.read()
            with pytest.raises(NotFound):
                await store.get_file_info("missing")

    run(body())


def test_overwrite_rules(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            await store.write("f", b"one")
            with pytest.raises(AlreadyExists):
                await store.write("f", b"two")
            with pytest.raises(AlreadyExists):
                await store.write_atomic("f", chunks_of(b"two"))
            await store.write("f", chunks_of(b"three"), overwrite=True)
            assert await store.read_bytes("f") == b"three"

    run(body())


def test_write_refuses_bad_content_before_io(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            with pytest.raises(InvalidArgument):
                await store.write("f", "text is not bytes")  # type: ignore[arg-type]
            assert not await store.exists("f")

    run(body())


def test_open_atomic_commits_on_clean_exit_only(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            writer = store.open_atomic("doc.txt")
            async with writer as sink:
                await sink.write(b"part one, ")
                await sink.write(b"part two")
            assert writer.result is not None and writer.result.size == 18
            assert await store.read_bytes("doc.txt") == b"part one, part two"
            with pytest.raises(RuntimeError):
                async with store.open_atomic("doc.txt", overwrite=True) as sink:
                    await sink.write(b"never")
                    raise RuntimeError("body failed")
            assert await store.read_bytes("doc.txt") == b"part one, part two"
            with pytest.raises(AlreadyExists):
                async with store.open_atomic("doc.txt") as sink:
                    await sink.write(b"refused")

    run(body())


def test_read_seekable_seeks(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            await store.write("s", b"0123456789")
            async with await store.read_seekable("s") as reader:
                reader.seek(4)
                assert await reader.read(3) == b"456"
                reader.seek(-2, io.SEEK_END)
                assert await reader.read() == b"89"
                assert reader.file.seekable()

    run(body())


def test_listings_are_ordered_filtered_and_depth_limited(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            for key in ["a.txt", "b/c.txt", "b/d/e.txt", "b.txt", "z.csv"]:
                await store.write(key, b"x")
            top = [str(f.path) async for f in store.list_files("")]
            assert top == ["a.txt", "b.txt", "z.csv"]
            every = [str(f.path) async for f in store.list_files("", recursive=True)]
            assert every == ["a.txt", "b.txt", "b/c.txt", "b/d/e.txt", "z.csv"]
            depth1 = [str(f.path) async for f in store.list_files("", max_depth=1)]
            assert depth1 == ["a.txt", "b.txt", "b/c.txt", "z.csv"]
            txt = [f.name async for f in store.list_files("", recursive=True, pattern="*.txt")]
            assert txt == ["a.txt", "b.txt", "c.txt", "e.txt"]
            folders = [str(f.path) async for f in store.list_folders("", max_depth=1)]
            assert folders == ["b", "b/d"]
            children = [c async for c in store.iter_children("b")]
            assert [type(c) for c in children] == [FileInfo, FolderEntry]
            assert [c async for c in store.list_files("nowhere")] == []
            with pytest.raises(NotFound):
                [f async for f in store.list_files("nowhere", strict=True)]

    run(body())


def test_queries_and_folder_info(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            await store.write("d/one", b"12")
            await store.write("d/sub/two", b"345")
            assert await store.exists("") and await store.is_folder("d")
            assert await store.is_file("d/one") and not await store.is_file("d")
            assert not await store.exists("nothing")
            info = await store.get_folder_info("d")
            assert (info.file_count, info.total_size) == (2, 5)
            shallow = await store.get_folder_info("d", max_depth=0)
            assert (shallow.file_count, shallow.total_size) == (1, 2)
            head = await store.head("d/sub/two")
            assert head.size == 3 and head.source == "sidecar"

    run(body())


def test_delete_and_delete_folder(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            await store.write("d/f", b"x")
            await store.write("d/g", b"y")
            await store.delete("d/f")
            assert not await store.exists("d/f") and await store.exists("d/g")
            with pytest.raises(NotFound):
                await store.delete("d/f")
            await store.delete("d/f", missing_ok=True)
            with pytest.raises(InvalidPath):
                await store.delete("d")
            with pytest.raises(DirectoryNotEmpty):
                await store.delete_folder("d")
            await store.delete_folder("d", recursive=True)
            assert not await store.exists("d")
            with pytest.raises(InvalidPath):
                await store.delete_folder("")

    run(body())


def test_move_and_copy(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            await store.write("src", b"data")
            await store.copy("src", "copy/dst")
            assert await store.read_bytes("copy/dst") == b"data"
            await store.move("src", "moved")
            assert not await store.exists("src")
            assert await store.read_bytes("moved") == b"data"
            with pytest.raises(AlreadyExists):
                await store.copy("moved", "copy/dst")
            with pytest.raises(NotFound):
                await store.move("gone", "elsewhere")
            await store.move("moved", "moved")  # onto itself: nothing happens
            assert await store.read_bytes("moved") == b"data"

    run(body())


def test_root_scoping_and_child_stores(make_store: Factory) -> None:
    async def body() -> None:
        async with make_store() as store:
            await store.write("tenant/inner/f.txt", b"x")
            child = store.child("tenant")
            assert child.root_path == "tenant"
            assert await child.read_bytes("inner/f.txt") == b"x"
            assert [str(f.path) async for f in child.list_files("", recursive=True)] == [
                "inner/f.txt"
            ]
            result = await child.write("new.txt", b"y")
            assert result.path == "new.txt"
            assert await store.read_bytes("tenant/new.txt") == b"y"
            with pytest.raises(InvalidPath):
                await child.read_bytes("../outside")
            assert child.to_key(child.native_path("inner/f.txt")) == "inner/f.txt"
            await child.aclose()  # a child does not own the backend
            assert await store.exists("tenant/new.txt")

    run(body())


def test_gates_refuse_before_io() -> None:
    from remote_store._capabilities import CapabilitySet
    from remote_store.aio import AsyncMemoryBackend

    class ReadOnly(AsyncMemoryBackend):
        CAPABILITIES = CapabilitySet({Capability.READ, Capability.METADATA})

    async def body() -> None:
        store = AsyncStore(ReadOnly())
        assert not store.supports(Capability.WRITE)
        with pytest.raises(CapabilityNotSupported):
            await store.write("f", b"x")
        with pytest.raises(CapabilityNotSupported):
            store.list_files("")
        with pytest.raises(CapabilityNotSupported):
            store.glob("*.txt")

    run(body())


def test_write_with_hash_reports_the_client_digest(make_store: Factory) -> None:
    import hashlib

    async def body() -> None:
        async with make_store() as store:
            result = await write_with_hash(store, "h.bin", chunks_of(b"abc", b"def"))
            assert result.digest is not None
            assert result.digest.algorithm == "sha256"
            assert result.digest.value == hashlib.sha256(b"abcdef").hexdigest()
            assert await store.read_bytes("h.bin") == b"abcdef"
            with pytest.raises(InvalidArgument):
                await write_with_hash(store, "x", b"x", algorithm="no-such-hash")

    run(body())


def test_a_sync_backend_is_wrapped_automatically(tmp_path: object) -> None:
    from remote_store.aio import SyncBackendAdapter
    from remote_store.backends import MemoryBackend

    async def body() -> None:
        async with AsyncStore(MemoryBackend()) as store:
            assert isinstance(store.backend, SyncBackendAdapter)
            await store.write("f", chunks_of(b"x", b"y"))
            assert await store.read_bytes("f") == b"xy"
            assert store.unwrap(MemoryBackend) is store.backend.backend

    run(body())
