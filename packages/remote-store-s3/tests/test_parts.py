"""The multipart pipeline: parts in flight while the next fills, bounded buffers, order."""

from __future__ import annotations

import io
import re
import tracemalloc
from typing import Any

import pytest
from remote_store import Store
from remote_store_s3 import S3Backend, _writes

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

    part, in_flight = 256 * 1024, _writes.PARTS_IN_FLIGHT  # moto's minimum scaled down
    held = _writes.PART_BUFFERS
    monkeypatch.setattr(moto_models, "S3_UPLOAD_PART_MIN_SIZE", part)
    monkeypatch.setattr(_writes, "PART_SIZE", part)
    assert 2 <= in_flight <= 4
    data = labelled(part * (in_flight + 3) + 12345)  # more parts than in flight, a tail
    sink = _writes.MultipartSink(backend, "big", overwrite=False, metadata=None)
    seen_pending, buffers = 0, set()
    for start in range(0, len(data), 64 * 1024):
        sink.write(data[start : start + 64 * 1024])
        seen_pending = max(seen_pending, len(sink._pending))
        if sink._pending:  # past the first part: the small growable buffer is gone
            buffers |= {id(sink._buffer)} | {id(body) for _, body, _ in sink._pending}
        assert len(sink._pending) <= in_flight
    result = sink.commit()
    assert seen_pending >= 1  # a part uploads while the next fills
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
        backend.write("k", io.BytesIO(b"x" * (_writes.PART_SIZE + 1)))
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
    part, held = _writes.PART_SIZE, _writes.PART_BUFFERS
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


@pytest.mark.parametrize(
    "size",
    [0, 1, _writes._GROWABLE, _writes._GROWABLE + 1, 3 * MIB + 7, _writes.PART_SIZE - 1],
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
    data = labelled(_writes.PART_SIZE + 1)
    store.write("two", io.BytesIO(data))
    assert store.read_bytes("two") == data
    assert sum("partNumber=" in line for line in moto.log.requests(bucket)) == 2
