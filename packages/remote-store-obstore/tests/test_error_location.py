"""Errors name the caller's path and the bucket or container, never a credential."""

from __future__ import annotations

import pickle

import pytest
from remote_store import Store
from remote_store.errors import NotFound
from remote_store_obstore import AzureObstoreBackend, GcsObstoreBackend, S3ObstoreBackend

from .conftest import FAST_RETRY, Moto

SECRET = "LOCATION-OBSTORE-SECRET-4471"


def test_an_s3_error_names_the_path_and_bucket_without_the_secret(moto: Moto) -> None:
    bucket = moto.new_bucket()
    backend = S3ObstoreBackend(**moto.options(bucket, secret=SECRET, retry=FAST_RETRY))
    with Store(backend, "data") as store, pytest.raises(NotFound) as info:
        store.read_bytes("./a//b.txt")
    error = info.value
    where = f"s3-obstore bucket {bucket!r} at {moto.url!r}"
    assert error.path == "./a//b.txt" and error.key == "data/a/b.txt"
    assert error.location == where
    assert str(error).endswith(f": './a//b.txt' ({where}, key 'data/a/b.txt')")
    text = str(error) + repr(error) + repr(vars(error)) + repr(pickle.dumps(error))
    assert SECRET not in text


def test_azure_and_gcs_locations_carry_no_credential() -> None:
    azure = AzureObstoreBackend(
        "box", account_url="https://acct.blob.core.windows.net/?sv=2024&sig=SIGNATURE42"
    )
    assert azure.location == (
        "azure-obstore account 'acct' container 'box' at 'https://acct.blob.core.windows.net/'"
    )
    keyed = AzureObstoreBackend(
        "box",
        connection_string="AccountName=acct;AccountKey=S2VZMTIzNDU2Nzg5MA==;"
        "EndpointSuffix=core.windows.net",
    )
    assert "S2VZMTIzNDU2Nzg5MA" not in keyed.location and "'box'" in keyed.location
    assert GcsObstoreBackend("lake").location.startswith("gcs-obstore bucket 'lake'")
