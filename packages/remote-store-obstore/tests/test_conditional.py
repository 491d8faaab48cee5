"""Conditional writes (CONDITIONAL_WRITE) and deletes of many (BULK_DELETE), sync and async,
against moto and Azurite: what the kit does not pin down, and attempts to break them."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from remote_store import Capability, Store
from remote_store.aio import AsyncStore
from remote_store.errors import (
    CapabilityNotSupported,
    InvalidArgument,
    InvalidPath,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)
from remote_store_obstore import (
    AsyncAzureObstoreBackend,
    AsyncGcsObstoreBackend,
    AsyncS3ObstoreBackend,
    AzureObstoreBackend,
    GcsObstoreBackend,
    ObstoreBackend,
    S3ObstoreBackend,
)

MiB = 1024 * 1024
BAD_SAS = "sv=2023-11-03&ss=b&srt=sco&sp=rwdl&se=2030-01-01T00:00:00Z&sig=SECRETSIGVALUE0002"


class Exploding(io.RawIOBase):
    """A stream that yields ``good`` bytes, then raises."""

    def __init__(self, good: int) -> None:
        self.left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.left <= 0:
            raise RuntimeError("source failed")
        count = min(len(buffer), self.left)
        buffer[:count] = b"x" * count
        self.left -= count
        return count


def _etag(backend: ObstoreBackend, path: str) -> str:
    etag = backend.get_file_info(path).etag
    assert etag
    return etag


@pytest.fixture(params=["s3", "azure"])
def service(request: pytest.FixtureRequest) -> Callable[[], ObstoreBackend]:
    """A factory of sync backends on a fresh bucket/container of moto or Azurite."""
    if request.param == "s3":
        moto = request.getfixturevalue("moto")
        return lambda: moto.backend()
    azurite = request.getfixturevalue("azurite")
    return lambda: azurite.backend()


# -- declarations -------------------------------------------------------------------------


def test_s3_and_azure_declare_conditional_writes_and_gcs_does_not() -> None:
    conditional: list[type[Any]] = [S3ObstoreBackend, AzureObstoreBackend]
    conditional += [AsyncS3ObstoreBackend, AsyncAzureObstoreBackend]
    gcs: list[type[Any]] = [GcsObstoreBackend, AsyncGcsObstoreBackend]
    for cls in conditional:
        assert Capability.CONDITIONAL_WRITE in cls.CAPABILITIES
        assert Capability.BULK_DELETE in cls.CAPABILITIES
    for cls in gcs:
        assert Capability.CONDITIONAL_WRITE not in cls.CAPABILITIES
        assert Capability.BULK_DELETE in cls.CAPABILITIES


def test_gcs_refuses_a_conditional_write_before_any_request() -> None:
    # obstore's GCS update mode needs the generation, not an etag: refused, not faked
    backend = GcsObstoreBackend("bucket", endpoint_url="http://127.0.0.1:9", anonymous=True)
    with pytest.raises(CapabilityNotSupported):
        backend.write_conditional("a.txt", b"x", if_none_match="*")
    with pytest.raises(CapabilityNotSupported):
        Store(backend).write("a.txt", b"x", if_match="etag")

    async def main() -> None:
        aio = AsyncGcsObstoreBackend("bucket", endpoint_url="http://127.0.0.1:9", anonymous=True)
        with pytest.raises(CapabilityNotSupported):
            await aio.write_conditional("a.txt", b"x", if_match="etag")

    asyncio.run(main())


# -- the service decides ------------------------------------------------------------------


def test_a_stale_etag_is_refused_by_the_service(
    moto: Any, service: Callable[[], ObstoreBackend]
) -> None:
    backend = service()
    backend.write("c.txt", b"first")
    stale = _etag(backend, "c.txt")
    backend.write("c.txt", b"second", overwrite=True)
    fresh = _etag(backend, "c.txt")
    assert fresh != stale
    with pytest.raises(PreconditionFailed):
        backend.write_conditional("c.txt", b"lost update", if_match=stale)
    assert backend.read_bytes("c.txt") == b"second"
    backend.write_conditional("c.txt", b"third", if_match=fresh)
    assert backend.read_bytes("c.txt") == b"third"
    if isinstance(backend, S3ObstoreBackend):  # out of band: moto holds the winner
        body = moto.client().get_object(Bucket=backend._flavour.container, Key="c.txt")["Body"]
        assert body.read() == b"third"


def test_each_refusal_is_precondition_failed_whatever_the_status(
    service: Callable[[], ObstoreBackend],
) -> None:
    # S3 answers 404 to If-Match on a missing key and 412 to If-None-Match; Azure answers
    # 412 and 409: the caller sees one error type for a failed condition
    backend = service()
    backend.write("here.txt", b"x")
    etag = _etag(backend, "here.txt")
    with pytest.raises(PreconditionFailed) as missing:
        backend.write_conditional("absent.txt", b"y", if_match=etag)
    assert missing.value.path == "absent.txt"
    assert not backend.is_file("absent.txt")
    with pytest.raises(PreconditionFailed):
        backend.write_conditional("here.txt", b"y", if_none_match="*")
    with pytest.raises(PreconditionFailed):
        backend.write_conditional("here.txt", b"y", if_match='"not-the-etag"')
    assert backend.read_bytes("here.txt") == b"x"


def test_a_stream_over_one_part_is_still_one_conditional_put(
    service: Callable[[], ObstoreBackend],
) -> None:
    # unlike write(overwrite=False), which HEAD-checks a multipart upload
    backend = service()
    size = backend.part_size + MiB
    backend.write("big.bin", b"old")
    with pytest.raises(PreconditionFailed):
        backend.write_conditional("big.bin", io.BytesIO(b"n" * size), if_none_match="*")
    assert backend.read_bytes("big.bin") == b"old"
    result = backend.write_conditional(
        "big.bin", io.BytesIO(b"n" * size), if_match=_etag(backend, "big.bin")
    )
    assert result.size == size == backend.get_file_info("big.bin").size


def test_a_failing_source_writes_nothing_and_keeps_its_error(moto: Any) -> None:
    backend = moto.backend()
    with pytest.raises(RuntimeError, match="source failed"):
        backend.write_conditional("x.bin", Exploding(3 * MiB), if_none_match="*")
    assert not backend.is_file("x.bin")


def test_racing_creators_over_one_part_have_exactly_one_winner(
    service: Callable[[], ObstoreBackend],
) -> None:
    # the class of bug of the HEAD-checked multipart create: here the service decides
    # (moto's PUTs are made atomic by the test server, as S3's are: see
    # remote_store_conformance.atomic_moto)
    backend = service()
    size = backend.part_size + 1
    barrier = threading.Barrier(4)
    outcomes: list[bool] = []

    def create(index: int) -> None:
        barrier.wait()
        try:
            backend.write_conditional(
                "race.bin", io.BytesIO(bytes([index]) * size), if_none_match="*"
            )
        except PreconditionFailed:
            outcomes.append(False)
        else:
            outcomes.append(True)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(create, range(4)))
    assert sorted(outcomes) == [False, False, False, True]
    data = backend.read_bytes("race.bin")
    assert len(data) == size and len(set(data)) == 1


def test_malformed_conditions_are_refused_before_any_request(moto: Any) -> None:
    backend = moto.backend()
    for kwargs in (
        {},
        {"if_match": "e", "if_none_match": "*"},
        {"if_none_match": "etag"},
        {"if_match": ""},
    ):
        with pytest.raises(InvalidArgument):
            backend.write_conditional("m.txt", b"x", **kwargs)
    assert not backend.is_file("m.txt")


def test_a_rejected_credential_is_not_a_failed_condition(azurite: Any) -> None:
    backend = AzureObstoreBackend(
        azurite.new_container(),
        account_url=azurite.account_url,
        account_name="devstoreaccount1",
        sas_token=BAD_SAS,
    )
    with pytest.raises(PermissionDenied) as caught:
        backend.write_conditional("x.txt", b"data", if_none_match="*")
    for item in (caught.value, caught.value.__cause__, caught.value.__context__):
        assert item is None or "SECRETSIGVALUE0002" not in str(item)


def test_the_store_passes_conditions_with_metadata(moto: Any) -> None:
    store = Store(moto.backend())
    store.write("doc.txt", b"v1", if_none_match="*", metadata={"rev": "1"})
    info = store.get_file_info("doc.txt")
    assert info.metadata == {"rev": "1"}
    assert info.etag
    store.write("doc.txt", b"v2", if_match=info.etag, metadata={"rev": "2"})
    assert store.get_file_info("doc.txt").metadata == {"rev": "2"}
    with pytest.raises(PreconditionFailed):
        store.write("doc.txt", b"v3", if_match=info.etag)
    assert store.read_bytes("doc.txt") == b"v2"


# -- async --------------------------------------------------------------------------------


async def _chunks(count: int, size: int) -> AsyncIterator[bytes]:
    for index in range(count):
        await asyncio.sleep(0)
        yield bytes([index]) * size


def test_async_conditional_writes_on_s3_and_azure(moto: Any, azurite: Any) -> None:
    async def check(backend: Any) -> None:
        async with AsyncStore(backend) as store:
            await store.write("a.bin", _chunks(3, MiB), if_none_match="*")
            with pytest.raises(PreconditionFailed):
                await store.write("a.bin", b"again", if_none_match="*")
            etag = (await store.get_file_info("a.bin")).etag
            assert etag
            await store.write("a.bin", b"second", overwrite=True)
            with pytest.raises(PreconditionFailed):
                await store.write("a.bin", _chunks(2, MiB), if_match=etag)
            assert await store.read_bytes("a.bin") == b"second"
            fresh = (await store.get_file_info("a.bin")).etag
            assert fresh
            await store.write("a.bin", b"third", if_match=fresh)
            assert await store.read_bytes("a.bin") == b"third"
            with pytest.raises(PreconditionFailed):
                await store.write("nowhere.bin", b"x", if_match=fresh)

    async def main() -> None:
        await check(AsyncS3ObstoreBackend(**moto.options()))
        await check(
            AsyncAzureObstoreBackend(
                azurite.new_container(), connection_string=azurite.connection_string
            )
        )

    asyncio.run(main())


# -- deletes of many ----------------------------------------------------------------------


def test_delete_many_reports_a_key_the_service_cannot_parse_and_deletes_the_rest(
    service: Callable[[], ObstoreBackend],
) -> None:
    # one key's failing probe used to abort the whole call (sync) with no outcome at all
    backend = service()
    backend.write("ok.txt", b"x")
    backend.write("dir/in.txt", b"x")
    outcomes = backend.delete_many(["ok.txt", "a//b", "dir", "gone.txt"])
    assert outcomes["ok.txt"] is None
    assert isinstance(outcomes["a//b"], InvalidPath)
    assert isinstance(outcomes["dir"], InvalidPath)
    assert isinstance(outcomes["gone.txt"], NotFound)
    assert not backend.is_file("ok.txt")
    assert backend.is_file("dir/in.txt")


def test_async_delete_many_has_the_outcomes_of_the_sync_one(moto: Any, azurite: Any) -> None:
    keys = ["ok.txt", "a//b", "dir", "gone.txt", "dup.txt", "dup.txt"]

    async def check(backend: Any, sync: ObstoreBackend) -> None:
        for key in ("ok.txt", "dir/in.txt", "dup.txt"):
            await backend.write(key, b"x")
        outcomes = await backend.delete_many(keys)
        assert list(outcomes) == ["ok.txt", "a//b", "dir", "gone.txt", "dup.txt"]
        assert outcomes["ok.txt"] is None and outcomes["dup.txt"] is None
        assert isinstance(outcomes["a//b"], InvalidPath)
        assert isinstance(outcomes["dir"], InvalidPath)
        assert isinstance(outcomes["gone.txt"], NotFound)
        assert not await backend.is_file("ok.txt") and await backend.is_file("dir/in.txt")
        for key in ("ok.txt", "dup.txt"):
            await backend.write(key, b"x")
        mirrored = await asyncio.to_thread(sync.delete_many, keys)
        assert {k: type(v) for k, v in mirrored.items()} == {
            k: type(v) for k, v in outcomes.items()
        }
        assert await backend.delete_many(["gone.txt"], missing_ok=True) == {"gone.txt": None}
        assert await backend.delete_many([]) == {}

    async def main() -> None:
        options = moto.options()
        await check(AsyncS3ObstoreBackend(**options), S3ObstoreBackend(**options))
        container = azurite.new_container()
        conn = azurite.connection_string
        await check(
            AsyncAzureObstoreBackend(container, connection_string=conn),
            AzureObstoreBackend(container, connection_string=conn),
        )

    asyncio.run(main())


@pytest.mark.slow
def test_async_delete_many_of_many_keys_goes_in_few_requests(moto: Any) -> None:
    async def main() -> None:
        backend = AsyncS3ObstoreBackend(**moto.options())
        keys = [f"k/{i:04d}" for i in range(1010)]  # over one DeleteObjects page
        await asyncio.gather(*(backend.write(key, b"") for key in keys[:1005]))
        async with AsyncStore(backend) as store:
            outcomes = await store.delete_many(keys)
        assert [k for k, v in outcomes.items() if v is None] == keys[:1005]
        assert all(isinstance(outcomes[k], NotFound) for k in keys[1005:])
        assert [info async for info in backend.list_files("k", recursive=True)] == []

    asyncio.run(main())
