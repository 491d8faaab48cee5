"""Errors name the caller's path and the bucket, never the service-account key."""

from __future__ import annotations

import pickle

import pytest
from remote_store import Store
from remote_store.errors import NotFound
from remote_store_gcs import GCSBackend


def test_an_error_names_the_path_and_the_bucket(store: Store, bucket: str) -> None:
    scoped = store.child("data")
    with pytest.raises(NotFound) as info:
        scoped.get_file_info("./a//b.txt")
    error = info.value
    assert error.path == "./a//b.txt" and error.key == "data/a/b.txt"
    assert error.location == f"gcs bucket {bucket!r}"
    assert str(error).endswith(f": './a//b.txt' (gcs bucket {bucket!r}, key 'data/a/b.txt')")
    pickle.loads(pickle.dumps(error))


def test_the_location_never_shows_the_credentials() -> None:
    secret = '{"type": "service_account", "private_key": "LOCATION-GCS-KEY-2209"}'
    backend = GCSBackend("lake", credentials_json=secret, endpoint_url="http://u:PW77@h.test")
    assert backend.location == "gcs bucket 'lake'"
