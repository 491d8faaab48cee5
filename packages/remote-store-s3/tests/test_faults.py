"""Faults injected by a TCP proxy in front of moto: cuts mid-upload and mid-download, 503s.

Every failure surfaces as a typed error, idempotent operations are retried per the
RetryPolicy, and the previous object is never damaged.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from remote_store import Store
from remote_store.backend import RetryPolicy
from remote_store.errors import BackendUnavailable
from remote_store_s3 import S3Backend

MIB = 1024 * 1024
FAST = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05, jitter=0.0)
OLD = b"old object " * 1000


@pytest.fixture
def direct(moto: Any, bucket: str) -> Store:
    store = Store(moto.backend(bucket))
    store.write("k", OLD)
    return store


@pytest.fixture
def faulty(proxy: Any, bucket: str) -> Store:
    backend = S3Backend(bucket=bucket, endpoint_url=proxy.url, key="x", secret="y", retry=FAST)
    return Store(backend)


def test_cut_mid_upload_is_retried(proxy: Any, faulty: Store, direct: Store) -> None:
    proxy.cut_upload_after, proxy.times = 64 * 1024, 1
    new = b"n" * (512 * 1024)
    result = faulty.write("k", new, overwrite=True)
    assert proxy.faults == 1
    assert result.size == len(new)
    assert direct.read_bytes("k") == new


def test_cut_mid_upload_every_time_keeps_the_old_object(
    proxy: Any, faulty: Store, direct: Store
) -> None:
    proxy.cut_upload_after, proxy.times = 64 * 1024, 100
    with pytest.raises(BackendUnavailable):
        faulty.write("k", b"n" * (512 * 1024), overwrite=True)
    # each policy attempt; aiohttp itself re-sends an idempotent request once on a
    # dropped keep-alive connection, so a cut may be seen twice per attempt
    assert FAST.max_attempts <= proxy.faults <= 2 * FAST.max_attempts
    assert direct.read_bytes("k") == OLD


def test_cut_mid_multipart_upload_keeps_the_old_object_and_aborts(
    proxy: Any, faulty: Store, direct: Store
) -> None:
    proxy.cut_upload_after, proxy.times = 4 * MIB, 100  # every part is cut
    with pytest.raises(BackendUnavailable):
        faulty.write("k", io.BytesIO(b"m" * (20 * MIB)), overwrite=True)
    assert direct.read_bytes("k") == OLD
    backend = direct.backend
    assert isinstance(backend, S3Backend)
    uploads = backend._run(None, lambda c: c.list_multipart_uploads(Bucket=backend._bucket))
    assert not uploads.get("Uploads")


def test_a_part_cut_while_the_next_fills_is_sent_again(
    proxy: Any, faulty: Store, direct: Store
) -> None:
    proxy.cut_upload_after, proxy.times = 4 * MIB, 1  # the first part sent is cut once
    data = bytes(range(256)) * (4 * 16 * 1024)  # 16 MiB: three parts and a tail
    result = faulty.write("k", io.BytesIO(data), overwrite=True)
    assert 1 <= proxy.faults <= 2
    assert result.size == len(data)
    assert direct.read_bytes("k") == data
    backend = direct.backend
    assert isinstance(backend, S3Backend)
    uploads = backend._run(None, lambda c: c.list_multipart_uploads(Bucket=backend._bucket))
    assert not uploads.get("Uploads")


def test_cut_mid_download_resumes_with_a_range(proxy: Any, faulty: Store, direct: Store) -> None:
    data = bytes(range(256)) * (12 * 1024)  # 3 MiB
    direct.write("big", data)
    proxy.cut_download_after, proxy.times = MIB, 1
    with faulty.read("big") as stream:
        assert stream.read() == data
    assert proxy.faults == 1
    proxy.cut_download_after, proxy.times = MIB, 1
    assert faulty.read_bytes("big") == data
    assert proxy.faults == 2


def test_cut_mid_download_every_time_is_typed(proxy: Any, faulty: Store, direct: Store) -> None:
    direct.write("big", b"d" * (3 * MIB))
    proxy.cut_download_after, proxy.times = 10, 100  # no attempt gets far
    with pytest.raises(BackendUnavailable):
        faulty.read_bytes("big")
    proxy.cut_download_after, proxy.times = MIB, 1
    proxy.then_cut_download = (10, 100)  # every resumed GET is cut too
    faults_before = proxy.faults
    with faulty.read("big") as stream, pytest.raises(BackendUnavailable):
        # the stream reads ahead, so the typed error may surface at any read after the cut
        while stream.read(256 * 1024):
            pass
    assert proxy.faults - faults_before >= 2  # the first cut, then resumed GETs cut again


def test_503_is_retried_then_typed(proxy: Any, faulty: Store, direct: Store) -> None:
    proxy.answer_503 = 2
    assert faulty.read_bytes("k") == OLD
    assert proxy.faults == 2
    proxy.answer_503 = 2
    faulty.write("k2", b"new")
    assert direct.read_bytes("k2") == b"new"
    proxy.answer_503 = 10
    with pytest.raises(BackendUnavailable):
        faulty.write("k", b"never", overwrite=True)
    proxy.answer_503 = 0
    assert direct.read_bytes("k") == OLD


def test_a_listing_page_answered_503_is_retried_then_typed(
    proxy: Any, faulty: Store, direct: Store
) -> None:
    for name in ("d/a", "d/b", "d/e/c"):
        direct.write(name, b"x")
    proxy.answer_503 = 2
    listed = [str(info.path) for info in faulty.list_files("d", recursive=True)]
    assert listed == ["d/a", "d/b", "d/e/c"]
    assert proxy.faults == 2
    proxy.answer_503 = 10
    with pytest.raises(BackendUnavailable):
        list(faulty.list_files("d", recursive=True))
    with pytest.raises(BackendUnavailable):
        faulty.get_folder_info("d")


def test_retried_create_that_already_landed_is_not_refused(
    proxy: Any, faulty: Store, direct: Store
) -> None:
    """The response to the first PUT is lost after the server stored it: the retry meets
    a 412 for its own object and reports success."""
    proxy.cut_download_after, proxy.times = 10, 1
    result = faulty.write("fresh", b"content")
    assert proxy.faults == 1
    assert result.size == 7
    assert direct.read_bytes("fresh") == b"content"


def test_unreachable_server_is_backend_unavailable(moto: Any) -> None:
    from remote_store_conformance.servers import free_port

    backend = S3Backend(
        bucket="b",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        key="x",
        secret="y",
        retry=RetryPolicy(max_attempts=2, backoff_base=0.01, jitter=0.0, timeout=2),
    )
    with Store(backend) as store, pytest.raises(BackendUnavailable):
        store.read_bytes("k")


def _upload_in_parts(moto: Any, bucket: str, key: str, data: bytes) -> list[dict[str, Any]]:
    """A multipart upload of ``data`` in 5 MiB parts by another client; the parts."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )
    upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    for number, start in enumerate(range(0, len(data), 5 * MIB), 1):
        body = data[start : start + 5 * MIB]
        etag = client.upload_part(
            Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=body
        )["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
    )
    return parts


def test_a_multipart_etag_is_recognised_from_the_parts(moto: Any, bucket: str) -> None:
    from remote_store_s3._writes import is_completed

    data = bytes(range(256)) * (6 * MIB // 256)
    parts = _upload_in_parts(moto, bucket, "mp", data)
    backend = moto.backend(bucket)
    head = backend._head("mp")
    assert is_completed(head, parts, len(data))
    assert not is_completed(head, parts, len(data) - 1)
    assert not is_completed(head, parts[:1], len(data))
    assert not is_completed(head, [{"PartNumber": 1, "ETag": '"not-an-md5"'}], len(data))
    backend.close()


def test_retried_multipart_create_that_already_landed_is_not_refused(
    proxy: Any, faulty: Store, moto: Any, bucket: str, direct: Store
) -> None:
    """The response to CompleteMultipartUpload is lost; by the retry the key holds the same
    bytes in the same parts (moto answers a retry of the very upload with a 200, S3 with
    NoSuchUpload or a 412): the 412 is recognised as this upload's outcome."""
    data = bytes(range(256)) * (6 * MIB // 256)
    proxy.cut_response_to = f"POST /{bucket}/fresh?uploadId=".encode()
    proxy.on_cut = lambda: _upload_in_parts(moto, bucket, "fresh", data)
    result = faulty.write("fresh", io.BytesIO(data))
    assert proxy.faults == 1
    assert result.size == len(data)
    assert direct.read_bytes("fresh") == data


def test_retried_multipart_create_meeting_another_object_is_refused(
    proxy: Any, faulty: Store, moto: Any, bucket: str, direct: Store
) -> None:
    from remote_store.errors import AlreadyExists

    data = bytes(range(256)) * (6 * MIB // 256)
    other = b"z" * len(data)  # same size, other bytes: another writer's object
    proxy.cut_response_to = f"POST /{bucket}/fresh?uploadId=".encode()
    proxy.on_cut = lambda: _upload_in_parts(moto, bucket, "fresh", other)
    with pytest.raises(AlreadyExists):
        faulty.write("fresh", io.BytesIO(data))
    assert proxy.faults == 1
    assert direct.read_bytes("fresh") == other
