"""EXCLUSIVE_CREATE for streams longer than one part: a create-only write up to
``exclusive_create_limit`` is one create-only PUT, so of N racing writers exactly one
wins, on S3 (moto, PUTs made atomic) and Azure (Azurite), sync and async."""

from __future__ import annotations

import asyncio
import io
import pickle
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from remote_store import Store
from remote_store.errors import AlreadyExists, ConfigError
from remote_store_obstore import AsyncAzureObstoreBackend, AsyncS3ObstoreBackend, S3ObstoreBackend

MiB = 1024 * 1024
#: Writers in each race.
WRITERS = 4
#: Longer than one part (5 MiB), within the default limit (25 MiB).
SIZE = 6 * MiB + 123


def _race(write: Any) -> list[int]:
    """Run ``write(index)`` in WRITERS threads released together; the winners' indexes."""
    barrier = threading.Barrier(WRITERS)
    won: list[int] = []
    other: list[BaseException] = []

    def attempt(index: int) -> None:
        barrier.wait()
        try:
            write(index)
        except AlreadyExists:
            return
        except BaseException as exc:  # pragma: no cover - reported below
            other.append(exc)
        else:
            won.append(index)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(attempt, range(WRITERS)))
    assert not other, f"unexpected errors: {other!r}"
    return won


def _check_one_winner(won: list[int], data: bytes, size: int = SIZE) -> None:
    assert len(won) == 1, f"{len(won)} of {WRITERS} create-only writers won"
    assert data == bytes([won[0]]) * size


def test_racing_creators_of_a_stream_longer_than_a_part_have_one_winner(moto: Any) -> None:
    store = Store(moto.backend())
    won = _race(lambda i: store.write("race.bin", io.BytesIO(bytes([i]) * SIZE)))
    _check_one_winner(won, store.read_bytes("race.bin"))


def test_without_a_limit_every_create_only_stream_is_exclusive(moto: Any) -> None:
    backend = moto.backend(exclusive_create_limit=None)
    assert backend.exclusive_create_limit is None
    size = 11 * MiB + 5  # three parts
    won = _race(lambda i: backend.write("race.bin", io.BytesIO(bytes([i]) * size)))
    _check_one_winner(won, backend.read_bytes("race.bin"), size)


def test_azure_racing_creators_of_a_long_stream_have_one_winner(azurite: Any) -> None:
    backend = azurite.backend()
    won = _race(lambda i: backend.write("race.bin", io.BytesIO(bytes([i]) * SIZE)))
    _check_one_winner(won, backend.read_bytes("race.bin"))


async def _stream(index: int, size: int) -> AsyncIterator[bytes]:
    left = size
    while left:
        count = min(left, MiB)
        left -= count
        await asyncio.sleep(0)
        yield bytes([index]) * count


@pytest.mark.parametrize("service", ["s3", "azure"])
def test_async_racing_creators_of_a_long_stream_have_one_winner(
    service: str, request: pytest.FixtureRequest
) -> None:
    if service == "s3":
        backend: Any = AsyncS3ObstoreBackend(**request.getfixturevalue("moto").options())
    else:
        azurite = request.getfixturevalue("azurite")
        backend = AsyncAzureObstoreBackend(
            azurite.new_container(), connection_string=azurite.connection_string
        )

    async def main() -> tuple[list[int], bytes]:
        async def attempt(index: int) -> int | None:
            try:
                await backend.write("race.bin", _stream(index, SIZE))
            except AlreadyExists:
                return None
            return index

        outcomes = await asyncio.gather(*(attempt(i) for i in range(WRITERS)))
        return [i for i in outcomes if i is not None], await backend.read_bytes("race.bin")

    won, data = asyncio.run(main())
    _check_one_winner(won, data)


def test_past_the_limit_a_create_only_stream_still_refuses_an_existing_file(moto: Any) -> None:
    backend = moto.backend(exclusive_create_limit=5 * MiB)  # the HEAD-guarded path
    backend.write("big.bin", b"old")
    with pytest.raises(AlreadyExists):
        backend.write("big.bin", io.BytesIO(b"n" * SIZE))
    assert backend.read_bytes("big.bin") == b"old"
    result = backend.write("new.bin", io.BytesIO(b"n" * SIZE))
    assert result.size == SIZE and backend.read_bytes("new.bin") == b"n" * SIZE


def test_the_limit_defaults_to_the_memory_of_a_multipart_upload_and_is_checked() -> None:
    assert S3ObstoreBackend("b").exclusive_create_limit == 25 * MiB
    assert S3ObstoreBackend("b", max_concurrency=1).exclusive_create_limit == 10 * MiB
    assert S3ObstoreBackend("b", exclusive_create_limit=64 * MiB).exclusive_create_limit == (
        64 * MiB
    )
    for bad in (MiB, True, "25MiB"):
        with pytest.raises(ConfigError):
            S3ObstoreBackend("b", exclusive_create_limit=bad)  # type: ignore[arg-type]


def test_the_default_limit_survives_a_pickle() -> None:
    from remote_store_obstore._flavours import DEFAULT_LIMIT

    assert pickle.loads(pickle.dumps(DEFAULT_LIMIT)) is DEFAULT_LIMIT
    copy = pickle.loads(pickle.dumps(S3ObstoreBackend("b", max_concurrency=2)))
    assert copy.exclusive_create_limit == 15 * MiB
