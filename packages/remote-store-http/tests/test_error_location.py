"""Errors name the caller's path and the base URL with its credentials masked."""

from __future__ import annotations

import pickle

import pytest
from remote_store import Store
from remote_store.errors import NotFound
from remote_store_http import ReadOnlyHttpBackend

from .conftest import Nginx

PASSWORD = "LOCATION-HTTP-PW-3390"


def test_an_error_names_the_path_and_the_masked_base_url(nginx: Nginx) -> None:
    base = nginx.publish({"pub/file.txt": b"hello"})
    scheme, rest = base.split("://", 1)
    url = f"{scheme}://reader:{PASSWORD}@{rest}"
    with Store(ReadOnlyHttpBackend(url, timeout=5.0), "pub") as store:
        assert store.read_bytes("file.txt") == b"hello"
        with pytest.raises(NotFound) as info:
            store.read_bytes("./a//gone.txt")
    error = info.value
    assert error.path == "./a//gone.txt" and error.key == "pub/a/gone.txt"
    assert error.location == f"http {base!r}"
    assert "reader" not in error.location
    assert str(error).endswith(f"({error.location}, key 'pub/a/gone.txt')")
    text = str(error) + repr(error) + repr(vars(error)) + repr(pickle.dumps(error))
    assert PASSWORD not in text
