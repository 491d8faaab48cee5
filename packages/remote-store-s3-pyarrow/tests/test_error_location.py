"""Errors of the Arrow-native S3 backend name the caller's path and the bucket."""

from __future__ import annotations

import pickle

import pytest
from remote_store import Store
from remote_store.errors import NotFound
from remote_store_s3_pyarrow import S3PyArrowBackend

from .conftest import Moto

SECRET = "LOCATION-S3PA-SECRET-6612"


def test_an_error_names_the_path_and_bucket_without_the_secret(moto_process: Moto) -> None:
    bucket = moto_process.new_bucket()
    backend = S3PyArrowBackend(
        bucket, endpoint_url=moto_process.url, key="x", secret=SECRET, region_name="us-east-1"
    )
    with Store(backend, "data") as store, pytest.raises(NotFound) as info:
        store.read_seekable("./a//b.parquet")
    error = info.value
    where = f"s3-pyarrow bucket {bucket!r} at {moto_process.url!r}"
    assert error.path == "./a//b.parquet" and error.key == "data/a/b.parquet"
    assert error.location == where
    assert str(error).endswith(f": './a//b.parquet' ({where}, key 'data/a/b.parquet')")
    text = str(error) + repr(error) + repr(vars(error)) + repr(pickle.dumps(error))
    assert SECRET not in text
