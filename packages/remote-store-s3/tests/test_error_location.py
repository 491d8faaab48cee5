"""Errors name the caller's path and the bucket, never a credential (against moto)."""

from __future__ import annotations

import pickle

import pytest
from remote_store import Store
from remote_store.errors import AlreadyExists, NotFound, RemoteStoreError
from remote_store_s3 import S3Backend

from .conftest import FAST_RETRY, Moto

ACCESS_KEY = "AKIALOCATION00000042"
SECRET_KEY = "LOCATION-S3-SECRET-7e1d2c3b4a596877"


def _backend(moto: Moto, bucket: str) -> S3Backend:
    return S3Backend(
        bucket,
        endpoint_url=moto.url,
        key=ACCESS_KEY,
        secret=SECRET_KEY,
        region_name="us-east-1",
        retry=FAST_RETRY,
    )


def _surfaces(error: RemoteStoreError) -> str:
    return str(error) + repr(error) + repr(vars(error)) + repr(pickle.dumps(error))


def test_a_missing_file_names_the_caller_path_and_the_bucket(moto: Moto, bucket: str) -> None:
    with Store(_backend(moto, bucket), "data/") as store:
        with pytest.raises(NotFound) as info:
            store.read_bytes("./reports//a.txt")
        store.write("b.txt", b"x")
        with pytest.raises(AlreadyExists) as exists:
            store.copy("b.txt", "./b.txt")  # the same file: nothing to do
            store.write("b.txt", b"y")
    error = info.value
    assert error.path == "./reports//a.txt" and error.key == "data/reports/a.txt"
    assert error.location == f"s3 bucket {bucket!r} at {moto.url!r}"
    assert str(error).endswith(
        f": './reports//a.txt' (s3 bucket {bucket!r} at {moto.url!r}, key 'data/reports/a.txt')"
    )
    assert exists.value.path == "b.txt" and exists.value.key == "data/b.txt"
    for raised in (error, exists.value):
        text = _surfaces(raised)
        assert ACCESS_KEY not in text and SECRET_KEY not in text


def test_the_location_masks_an_endpoint_with_credentials() -> None:
    backend = S3Backend(
        "lake",
        endpoint_url=f"https://{ACCESS_KEY}:{SECRET_KEY}@s3.example.test/?X-Amz-Signature=SIGN42",
    )
    assert backend.location.startswith("s3 bucket 'lake' at 'https://s3.example.test/")
    assert ACCESS_KEY not in backend.location and SECRET_KEY not in backend.location
    assert "SIGN42" not in backend.location
