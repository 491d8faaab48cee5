"""The multipart pipeline: parts in flight while the next fills, bounded buffers, order."""

from __future__ import annotations

import io
import re
import tracemalloc
from typing import Any

import pytest
from remote_store import Store
from remote_store_s3 import S3Backend, _parts, _writes

MIB = 1024 * 1024


def labelled(size: int) -> bytes:
    """``size`` bytes whose every 64 KiB block names its offset: a part sent under the
    wrong number, or twice, shows in the bytes read back."""
    block = 64 * 1024
    blocks = (f"{offset:>16}".encode() * (block // 16) for offset in range(0, size, block))
    return b"".join(blocks)[:size]


def test_parts_in_flight_are_bounded_and_the_object_keeps_their_order(
    backend: S3Backend, moto: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.s3 import models as moto_models

    part, in_flight = 256 * 1024, _parts.PART_BUFFERS  # moto's minimum scaled down
    held = _parts.PART_BUFFERS
    monkeypatch.setattr(moto_models, "S3_UPLOAD_PART_MIN_SIZE", part)
    monkeypatch.setattr(_parts, "PART_SIZE", part)
    assert 2 <= in_flight <= 4
    data = labelled(part * (in_flight + 3) + 12345)  # more parts than in flight, a tail
    sink = _writes.MultipartSink(backend, "big", overwrite=False, metadata=None)
    seen_pending, buffers = 0, set()
    for start in range(0, len(data), 64 * 1024):
        sink.write(data[start : start + 64 * 1024])
        seen_pending = max(seen_pending, len(sink._pending))
        if sink._pending:  # past the first part: the small growable buffer is gone
            buffers |= {id(sink._pool._buffer)} - {id(None)}
            buffers |= {id(part.body) for part, _ in sink._pending}
        assert len(sink._pending) <= in_flight
    result = sink.commit()
    assert seen_pending >= 2  # parts upload side by side while the next fills
    assert len(buffers) <= held  # part buffers are reused, never more
    assert result.size == len(data)
    assert backend.read_bytes("big") == data
    numbers = [
        int(match.group(1))
        for line in moto.log.requests(bucket)
        if (match := re.search(r"/big\?uploadId=[^&]*&partNumber=(\d+)", line))
    ]
    assert sorted(numbers) == list(range(1, in_flight + 5))


def test_parts_go_as_streams_without_expect_continue(backend: S3Backend) -> None:
    sent: list[tuple[str, Any]] = []

    def record(request: Any, **_: Any) -> None:
        sent.append((request.headers.get("Expect"), request.body))

    client = backend._connect()
    client.meta.events.register("before-send.s3.UploadPart", record)
    try:
        backend.write("k", io.BytesIO(b"x" * (_parts.PART_SIZE + 1)))
    finally:
        client.meta.events.unregister("before-send.s3.UploadPart", record)
    assert len(sent) == 2
    assert all(expect is None for expect, _ in sent)
    assert all(hasattr(body, "read") for _, body in sent)


def test_the_traced_peak_of_a_stream_is_its_part_buffers(moto_process: Any) -> None:
    """The bound of the pipeline itself: ``PART_BUFFERS`` buffers and the kit's
    4 MiB for chunks (the source's, the hashing's, the connection's), however long the
    stream (moto runs in its own process: not traced)."""
    backend = moto_process.backend()
    part, held = _parts.PART_SIZE, _parts.PART_BUFFERS
    size = part * (held + 3)
    source = io.BufferedReader(io.BytesIO(labelled(size)), MIB)  # made before tracing
    with Store(backend) as store:
        store.write("warm", b"w")
        tracemalloc.start()
        try:
            result = store.write("big", source)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.size == size
    assert peak <= held * part + 4 * MIB, peak


class Generated(io.RawIOBase):
    """``size`` bytes of a repeated 1 MiB block, produced as they are read (nothing of
    the content is held beforehand)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.left, self.offset, self.block = size, 0, labelled(MIB)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        n = min(len(view), self.left, MIB - self.offset)
        view[:n] = self.block[self.offset : self.offset + n]
        self.offset, self.left = (self.offset + n) % MIB, self.left - n
        return n


def test_past_the_first_parts_the_traced_peak_is_three_larger_buffers(
    moto_process: Any,
) -> None:
    """Parts grow to ``LARGE_PART_SIZE`` after ``LARGE_AFTER`` parts: the cap is then
    ``PART_BUFFERS`` of those, and still under the kit's bounded-memory rule."""
    backend = moto_process.backend()
    held = _parts.PART_BUFFERS
    size = _parts.LARGE_AFTER * _parts.PART_SIZE + 4 * _parts.LARGE_PART_SIZE + 1
    source = io.BufferedReader(Generated(size), MIB)  # made before tracing
    with Store(backend) as store:
        store.write("warm", b"w")
        tracemalloc.start()
        try:
            result = store.write("bigger", source)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert result.size == size
        assert store.get_file_info("bigger").size == size
    assert peak <= held * _parts.LARGE_PART_SIZE + 4 * MIB, peak
    # the kit's bound is met from where parts grow (the smallest size that can hold them)
    grows_at = _parts.LARGE_AFTER * _parts.PART_SIZE
    assert held * _parts.LARGE_PART_SIZE + 4 * MIB <= grows_at // 4 + 4 * MIB


def test_parts_grow_after_the_first_ones_in_order(
    backend: S3Backend, moto: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.s3 import models as moto_models

    small, large = 256 * 1024, 384 * 1024  # moto's minimum scaled down
    monkeypatch.setattr(moto_models, "S3_UPLOAD_PART_MIN_SIZE", small)
    monkeypatch.setattr(_parts, "PART_SIZE", small)
    monkeypatch.setattr(_parts, "LARGE_PART_SIZE", large)
    monkeypatch.setattr(_parts, "LARGE_AFTER", 4)
    sent: list[tuple[int, int]] = []

    def record(request: Any, **_: Any) -> None:
        number = re.search(r"partNumber=(\d+)", request.url)
        assert number is not None
        sent.append((int(number.group(1)), int(request.headers["Content-Length"])))

    data = labelled(4 * small + 5 * large + 1234)
    client = backend._connect()
    client.meta.events.register("before-send.s3.UploadPart", record)
    try:
        sink = _writes.MultipartSink(backend, "grown", overwrite=False, metadata=None)
        for start in range(0, len(data), 100_000):
            sink.write(data[start : start + 100_000])
            assert sink._pool._allocated <= _parts.PART_BUFFERS
        result = sink.commit()
    finally:
        client.meta.events.unregister("before-send.s3.UploadPart", record)
    assert result.size == len(data)
    assert [size for _, size in sorted(sent)] == [small] * 4 + [large] * 5 + [1234]
    assert backend.read_bytes("grown") == data


@pytest.mark.parametrize(
    "size",
    [0, 1, _parts.GROWABLE, _parts.GROWABLE + 1, 3 * MIB + 7, _parts.PART_SIZE - 1],
)
def test_a_stream_up_to_one_part_is_one_put_of_exactly_its_bytes(
    store: Store, moto: Any, bucket: str, size: int
) -> None:
    data = labelled(size)
    result = store.write("one", io.BufferedReader(io.BytesIO(data), 100_000))
    assert result.size == size
    assert store.read_bytes("one") == data
    assert not any("uploadId" in line for line in moto.log.requests(bucket))


def test_a_stream_one_byte_over_a_part_is_two_parts(store: Store, moto: Any, bucket: str) -> None:
    data = labelled(_parts.PART_SIZE + 1)
    store.write("two", io.BytesIO(data))
    assert store.read_bytes("two") == data
    assert sum("partNumber=" in line for line in moto.log.requests(bucket)) == 2


class ReadIntoOnly(io.RawIOBase):
    """A source that counts how it is read: ``read`` serves one chunk at most (the first,
    which sizes the upload), the rest must come through ``readinto``."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data, self.offset, self.reads, self.readintos = data, 0, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.readintos += 1
        view = memoryview(buffer).cast("B")
        n = min(len(view), len(self.data) - self.offset)
        view[:n] = self.data[self.offset : self.offset + n]
        self.offset += n
        return n

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        assert self.reads <= 2, "the parts are read with read(), not straight into their buffers"
        out = self.data[self.offset : self.offset + size]
        self.offset += len(out)
        return out


def test_a_stream_with_readinto_fills_the_part_buffers_directly(store: Store) -> None:
    data = labelled(3 * _parts.PART_SIZE + 4321)
    source = ReadIntoOnly(data)
    result = store.write("direct", source)  # type: ignore[arg-type]
    assert result.size == len(data)
    assert source.readintos >= 3  # the parts were read into their buffers
    assert store.read_bytes("direct") == data


def test_a_stream_with_only_read_still_streams(store: Store) -> None:
    class ReadOnly(io.RawIOBase):  # inherits RawIOBase.readinto, which raises
        def __init__(self, data: bytes) -> None:
            super().__init__()
            self.stream = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            return self.stream.read(size)

    data = labelled(_parts.PART_SIZE + 777)
    assert store.write("plain", ReadOnly(data)).size == len(data)  # type: ignore[arg-type]
    assert store.read_bytes("plain") == data


def test_each_part_carries_its_crc32_and_the_object_a_composite_one(
    backend: S3Backend,
) -> None:
    """Parts go with the CRC32 computed while they filled (botocore does not read the body
    again for it); the upload asks for CRC32, as boto3's managed transfer does."""
    import base64
    import zlib

    sent: list[tuple[str, dict[str, str]]] = []

    def record(request: Any, **_: Any) -> None:
        sent.append((request.method, dict(request.headers)))

    data = labelled(2 * _parts.PART_SIZE + 99)
    client = backend._connect()
    client.meta.events.register("before-send.s3", record)
    try:
        backend.write("crc", io.BytesIO(data))
    finally:
        client.meta.events.unregister("before-send.s3", record)
    size = _parts.PART_SIZE
    expected = [
        base64.b64encode(zlib.crc32(data[i : i + size]).to_bytes(4, "big")).decode()
        for i in range(0, len(data), size)
    ]
    puts = [headers for method, headers in sent if method == "PUT"]
    assert sorted(_text(h["x-amz-checksum-crc32"]) for h in puts) == sorted(expected)
    create = [h for method, h in sent if method == "POST" and "x-amz-checksum-algorithm" in h]
    assert [_text(h["x-amz-checksum-algorithm"]) for h in create] == ["CRC32"]
    head = backend._head("crc")
    assert head is not None and "ChecksumCRC32" in head  # (S3 marks it COMPOSITE, "-3")


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def test_the_pool_reuses_at_most_its_buffers_and_follows_the_part_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import zlib

    monkeypatch.setattr(_parts, "PART_SIZE", 16)
    monkeypatch.setattr(_parts, "LARGE_PART_SIZE", 24)
    monkeypatch.setattr(_parts, "GROWABLE", 4)
    pool = _parts.PartPool(buffers=3)
    # 20 parts of 16 bytes, 980 of 24 (parts grew), then parts of 48 (doubled at 1000)
    data = labelled(16 * 20 + 24 * 980 + 48 * 3)
    offset, bodies = 0, set[int]()
    in_flight: list[_parts.Part] = []
    while offset < len(data):
        if not pool.can_fill():
            pool.give_back(in_flight.pop(0))
        offset += pool.feed(memoryview(data)[offset : offset + 7])
        if pool.full:
            part = pool.take()
            want = 16 if part.number <= 20 else 24 if part.number <= 1000 else 48
            chunk = data[offset - part.size : offset]
            assert part.size == want and part.body.getvalue() == chunk
            assert part.checksum == _parts.Part(0, part.body, 0, zlib.crc32(chunk), 0).checksum
            bodies.add(id(part.body))
            in_flight.append(part)
    assert pool.taken == 1003 and pool.size == len(data)
    assert len(bodies) <= 3 * 3  # three buffers of each size, never more


def test_the_async_backend_keeps_several_parts_in_flight(
    moto: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from moto.s3 import models as moto_models
    from remote_store_s3 import AsyncS3Backend, _async_io

    part = 256 * 1024
    monkeypatch.setattr(moto_models, "S3_UPLOAD_PART_MIN_SIZE", part)
    monkeypatch.setattr(_parts, "PART_SIZE", part)
    data = labelled(part * 7 + 999)
    seen = [0]
    original = _async_io.Multipart._send

    async def send(self: Any) -> None:
        await original(self)
        seen[0] = max(seen[0], sum(not task.done() for _, task in self._pending))

    monkeypatch.setattr(_async_io.Multipart, "_send", send)

    async def chunks() -> Any:
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]

    async def main() -> None:
        async with AsyncS3Backend(bucket, endpoint_url=moto.url, key="x", secret="y") as backend:
            result = await backend.write("async-big", chunks())
            assert result.size == len(data)
            assert await backend.read_bytes("async-big") == data

    asyncio.run(main())
    assert seen[0] >= 2  # parts upload side by side (one at a time before)
