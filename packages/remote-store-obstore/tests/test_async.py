"""The async backends on obstore's async API, run on the test's own event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from remote_store.aio import AsyncStore
from remote_store.errors import AlreadyExists, InvalidPath, NotFound
from remote_store_obstore import AsyncAzureObstoreBackend, AsyncS3ObstoreBackend

MiB = 1024 * 1024


async def _chunks(count: int, size: int) -> AsyncIterator[bytes]:
    for index in range(count):
        await asyncio.sleep(0)
        yield bytes([index % 251]) * size


def _s3(moto: Any) -> AsyncS3ObstoreBackend:
    return AsyncS3ObstoreBackend(**moto.options())


def test_calls_run_on_the_callers_loop_natively(moto: Any) -> None:
    async def main() -> None:
        backend = _s3(moto)
        async with AsyncStore(backend) as store:
            assert store.backend is backend  # native: no sync adapter in between
            await asyncio.gather(*(store.write(f"f{i}.txt", b"x" * i) for i in range(20)))
            sizes = [info.size async for info in store.list_files("")]
            assert sorted(sizes) == list(range(20))

    asyncio.run(main())


def test_async_stream_write_read_ranges_and_errors(moto: Any) -> None:
    async def main() -> None:
        backend = _s3(moto)
        result = await backend.write("big.bin", _chunks(12, MiB))  # multipart
        assert result.size == 12 * MiB
        with pytest.raises(AlreadyExists):
            await backend.write("big.bin", b"again")
        with pytest.raises(AlreadyExists):
            await backend.write("big.bin", _chunks(7, MiB))
        tail = b"".join([chunk async for chunk in backend.read_from("big.bin", 12 * MiB - 3)])
        assert tail == bytes([11]) * 3
        assert [c async for c in backend.read_from("big.bin", 12 * MiB)] == []
        await backend.write("d/inner.txt", b"1")
        with pytest.raises(InvalidPath):
            await backend.read_bytes("d")
        with pytest.raises(NotFound):
            [c async for c in backend.read("missing")]
        await backend.delete_folder("d", recursive=True)
        assert not await backend.is_folder("d")

    asyncio.run(main())


def test_azure_async_copy_if_not_exists_is_refused_by_the_service(azurite: Any) -> None:
    async def main() -> None:
        backend = AsyncAzureObstoreBackend(
            azurite.new_container(), connection_string=azurite.connection_string
        )
        await backend.write("a.txt", b"a", metadata={"m": "1"})
        await backend.write("b.txt", b"b")
        with pytest.raises(AlreadyExists):
            await backend.copy("a.txt", "b.txt")  # one Copy Blob with If-None-Match: *
        assert await backend.read_bytes("b.txt") == b"b"
        await backend.copy("a.txt", "c.txt")
        assert (await backend.get_file_info("c.txt")).metadata == {"m": "1"}

    asyncio.run(main())
