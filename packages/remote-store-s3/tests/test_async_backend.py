"""AsyncS3Backend against moto: requests run on the caller's loop (no thread), a client
follows the loop it is used on, streams abort cleanly, faults are retried and typed."""

from __future__ import annotations

import asyncio
import pickle
import threading
from collections.abc import AsyncIterator
from importlib.metadata import entry_points
from typing import Any

import pytest
from remote_store.aio import AsyncStore
from remote_store.backend import RetryPolicy
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    InvalidPath,
    NotFound,
    PreconditionFailed,
    SecretNotPicklable,
)
from remote_store_s3 import AsyncS3Backend

MIB = 1024 * 1024
FAST = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05, jitter=0.0)


def _backend(moto: Any, bucket: str, **options: Any) -> AsyncS3Backend:
    return AsyncS3Backend(bucket, endpoint_url=moto.url, key="x", secret="y", **options)


async def _uploads(backend: AsyncS3Backend) -> list[Any]:
    bucket = backend._bucket
    response = await backend._run(None, lambda c: c.list_multipart_uploads(Bucket=bucket))
    return list(response.get("Uploads", ()))


def test_registered_as_the_async_s3_type() -> None:
    (entry,) = entry_points(group="remote_store.async_backends", name="s3")
    assert entry.load() is AsyncS3Backend


def test_every_request_runs_on_the_callers_thread(moto: Any, bucket: str) -> None:
    senders: set[int] = set()

    async def main() -> None:
        backend = _backend(moto, bucket)
        async with AsyncStore(backend) as store:
            await store.write("a", b"x")
            backend._client.meta.events.register(
                "before-send.s3", lambda **_: senders.add(threading.get_ident())
            )
            await asyncio.gather(*(store.write(f"f/{i}", b"y" * 100) for i in range(8)))
            data = await asyncio.gather(*(store.read_bytes(f"f/{i}") for i in range(8)))
            assert data == [b"y" * 100] * 8
            assert [str(f.path) async for f in store.list_files("f")][:2] == ["f/0", "f/1"]

    asyncio.run(main())
    assert senders == {threading.get_ident()}


def test_a_second_loop_gets_its_own_client_and_aclose_closes_it(moto: Any, bucket: str) -> None:
    backend = _backend(moto, bucket)
    clients = []

    async def use(name: str) -> None:
        await backend.write(name, b"v")
        assert await backend.read_bytes(name) == b"v"
        clients.append(backend._client)

    asyncio.run(use("one"))  # the loop ends without aclose: the next loop reconnects
    asyncio.run(use("two"))
    assert clients[0] is not clients[1]

    async def close() -> None:
        await use("three")
        session = backend._client._endpoint.http_session
        await backend.aclose()
        assert backend._client is None
        assert session._sessions is None or all(s.closed for s in session._sessions.values())
        assert await backend.read_bytes("three") == b"v"  # a later call reconnects
        await backend.aclose()

    asyncio.run(close())


def test_reads_stream_and_start_at_an_offset(moto: Any, bucket: str) -> None:
    data = bytes(range(256)) * (3 * 4096)  # 3 MiB

    async def main() -> None:
        async with _backend(moto, bucket) as backend:
            await backend.write("big", data)
            chunks = [c async for c in backend.read("big")]
            assert len(chunks) >= 3 and all(chunks) and b"".join(chunks) == data
            assert b"".join([c async for c in backend.read_from("big", MIB + 7)]) == data[MIB + 7 :]
            assert [c async for c in backend.read_from("big", len(data))] == []
            assert [c async for c in backend.read_from("big", len(data) + 10)] == []
            with pytest.raises(NotFound):
                [c async for c in backend.read_from("missing", 3)]
            await backend.write("empty", b"")
            assert [c async for c in backend.read("empty")] == []

    asyncio.run(main())


def test_streamed_writes_go_multipart_and_refuse_an_existing_key(moto: Any, bucket: str) -> None:
    async def parts(count: int, size: int) -> AsyncIterator[bytes]:
        for i in range(count):
            yield bytes([i]) * size

    async def main() -> None:
        async with _backend(moto, bucket) as backend:
            result = await backend.write("m", parts(12, MIB))
            assert result.size == 12 * MIB and result.etag and result.etag.endswith('-3"')
            assert (await backend.get_file_info("m")).size == 12 * MIB
            with pytest.raises(AlreadyExists):
                await backend.write("m", parts(12, MIB))
            small = await backend.write("s", parts(3, 1000))  # under one part: one PUT
            assert small.etag is not None and "-" not in small.etag
            with pytest.raises(PreconditionFailed):
                await backend.write_conditional("s", b"new", if_match='"not-the-etag"')
            assert await backend.read_bytes("s") == b"".join([bytes([i]) * 1000 for i in range(3)])
            assert await _uploads(backend) == []

    asyncio.run(main())


def test_if_match_holds_for_a_multipart_stream(moto: Any, bucket: str) -> None:
    async def parts(count: int, size: int) -> AsyncIterator[bytes]:
        for i in range(count):
            yield bytes([i]) * size

    async def main() -> None:
        async with _backend(moto, bucket) as backend:
            first = await backend.write("k", b"one")
            assert first.etag
            await backend.write("k", b"two", overwrite=True)
            with pytest.raises(PreconditionFailed):
                await backend.write_conditional("k", parts(7, MIB), if_match=first.etag)
            with pytest.raises(PreconditionFailed):
                await backend.write_conditional("gone", parts(7, MIB), if_match=first.etag)
            assert await backend.read_bytes("k") == b"two"
            assert not await backend.exists("gone")
            assert await _uploads(backend) == []  # the refused uploads were aborted
            current = (await backend.get_file_info("k")).etag
            assert current
            result = await backend.write_conditional("k", parts(7, MIB), if_match=current)
            assert result.size == 7 * MIB

    asyncio.run(main())


def test_a_cancelled_or_failing_stream_publishes_nothing_and_aborts(moto: Any, bucket: str) -> None:
    sent = asyncio.Event()

    async def endless() -> AsyncIterator[bytes]:
        for i in range(1000):
            if i == 7:
                sent.set()  # the first part has gone out by now
            yield b"z" * MIB
            await asyncio.sleep(0)

    async def failing() -> AsyncIterator[bytes]:
        for _ in range(7):
            yield b"q" * MIB
        raise OSError("source broke")

    async def main() -> None:
        async with _backend(moto, bucket) as backend:
            task = asyncio.create_task(backend.write("c", endless()))
            await sent.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            with pytest.raises(OSError, match="source broke"):
                await backend.write("f", failing())
            assert not await backend.exists("c") and not await backend.exists("f")
            assert await _uploads(backend) == []

    asyncio.run(main())


def test_folders_and_files_are_told_apart(moto: Any, bucket: str) -> None:
    async def main() -> None:
        async with _backend(moto, bucket, reject_write_under_file_ancestor=True) as backend:
            await backend.write("d/a", b"1")
            with pytest.raises(InvalidPath):
                await backend.write("d/a/b", b"2")
            with pytest.raises(InvalidPath):
                await backend.get_file_info("d")
            with pytest.raises(InvalidPath):
                await backend.delete("d")
            keys = [f"d/k{i}" for i in range(5)]
            for key in keys:
                await backend.write(key, b"k")
            outcome = await backend.delete_many([*keys, "d", "d/none"])
            assert [outcome[k] for k in keys] == [None] * 5
            assert isinstance(outcome["d"], InvalidPath)
            assert isinstance(outcome["d/none"], NotFound)

    asyncio.run(main())


def test_faults_are_retried_and_a_cut_read_resumes(proxy: Any, moto: Any, bucket: str) -> None:
    data = bytes(range(256)) * (12 * 1024)  # 3 MiB

    async def main() -> None:
        async with _backend(moto, bucket) as direct:
            await direct.write("big", data)
        faulty = AsyncS3Backend(bucket, endpoint_url=proxy.url, key="x", secret="y", retry=FAST)
        async with faulty:
            proxy.cut_download_after, proxy.times = MIB, 1
            assert b"".join([c async for c in faulty.read("big")]) == data
            assert proxy.faults == 1
            proxy.answer_503 = 2
            assert await faulty.read_bytes("big") == data
            assert proxy.faults == 3
            proxy.answer_503 = 10
            with pytest.raises(BackendUnavailable):
                await faulty.write("k", b"never")
            proxy.answer_503 = 0

    asyncio.run(main())


def test_repr_and_pickle_keep_the_secret_out(moto: Any, bucket: str) -> None:
    backend = AsyncS3Backend(bucket, endpoint_url=moto.url, key="x", secret="sk-hidden")
    assert "sk-hidden" not in repr(backend) and repr(backend).startswith("AsyncS3Backend(")
    assert backend.native_path("a/b") == f"{bucket}/a/b"
    assert backend.to_key(f"s3://{bucket}/a/b") == "a/b"
    assert backend.resolve("a").details["bucket"] == bucket
    assert backend.location == f"s3 bucket {bucket!r} at {moto.url!r}"  # as S3Backend's
    with pytest.raises(SecretNotPicklable):
        pickle.dumps(backend)


def test_a_registry_profile_gets_the_native_async_backend(moto: Any, bucket: str) -> None:
    from remote_store import Registry, RegistryConfig
    from remote_store.aio.ext.cache import AsyncCachedStore

    options = {"bucket": bucket, "endpoint_url": moto.url, "key": "x", "secret": "y"}
    config = RegistryConfig.from_dict(
        {
            "backends": {"lake": {"type": "s3", "options": options}},
            "stores": {"data": {"backend": "lake", "options": {"cache": True}}},
        }
    )

    async def main() -> None:
        async with Registry(config) as registry:
            store = registry.get_async_store("data")
            assert isinstance(store, AsyncCachedStore)
            assert isinstance(store.unwrap(AsyncS3Backend), AsyncS3Backend)
            await store.write("r.txt", b"native")
            assert await store.read_bytes("r.txt") == b"native"
            assert await store.read_bytes("r.txt") == b"native"
            assert store.stats.hits == 1
            assert registry.get_store("data").read_bytes("r.txt") == b"native"

    asyncio.run(main())
