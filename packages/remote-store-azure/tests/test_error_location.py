"""Errors name the caller's path, the account and the container, never a credential."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from remote_store import Store
from remote_store.errors import NotFound, RemoteStoreError
from remote_store_azure import AzureBackend
from remote_store_azure.emulator import ACCOUNT, ACCOUNT_KEY


def _surfaces(error: RemoteStoreError) -> str:
    text = str(error) + repr(error) + repr(vars(error)) + repr(pickle.dumps(error))
    try:  # dask installs tblib's exception pickling: then the cause chain is pickled too
        from tblib import pickling_support  # type: ignore[import-untyped]
    except ImportError:
        return text
    pickling_support.install(error)
    return text + repr(pickle.dumps(error))


def test_an_error_names_the_path_and_container_without_the_sas(azurite: Any) -> None:
    from azure.storage.blob import ContainerSasPermissions, generate_container_sas

    container = azurite.new_container()
    sas = generate_container_sas(
        ACCOUNT,
        container,
        account_key=ACCOUNT_KEY,
        permission=ContainerSasPermissions(read=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )
    signature = dict(part.split("=", 1) for part in sas.split("&"))["sig"]
    backend = AzureBackend(container, account_url=f"{azurite.account_url}?{sas}")
    with Store(backend, "data") as store, pytest.raises(NotFound) as info:
        store.get_file_info("./in//a.txt")
    error = info.value
    assert error.path == "./in//a.txt" and error.key == "data/in/a.txt"
    assert error.location == (f"azure account {azurite.account_url!r} container {container!r}")
    assert error.location in str(error) and "'./in//a.txt'" in str(error)
    text = _surfaces(error)
    assert signature not in text and sas not in text and ACCOUNT_KEY not in text


def test_a_connection_string_shows_only_its_account(azurite: Any) -> None:
    with Store(azurite.backend()) as store, pytest.raises(NotFound) as info:
        store.read_bytes("gone.txt")
    error = info.value
    assert error.path == "gone.txt"
    assert error.location is not None and error.location.startswith("azure account ")
    assert ACCOUNT in error.location or "127.0.0.1" in error.location
    assert ACCOUNT_KEY not in _surfaces(error)


@pytest.mark.parametrize(
    "options",
    [
        {"account_url": "https://acct.blob.core.windows.net/?sv=2024&sig=SIGNATURE42"},
        {
            "connection_string": "DefaultEndpointsProtocol=https;AccountName=acct;"
            "AccountKey=S2VZMTIzNDU2Nzg5MA==;EndpointSuffix=core.windows.net"
        },
        {
            "connection_string": "BlobEndpoint=https://acct.blob.core.windows.net/;"
            "SharedAccessSignature=sv=2024&sig=SIGNATURE42"
        },
        {"account_name": "acct", "account_key": "S2VZMTIzNDU2Nzg5MA=="},
    ],
)
def test_the_location_names_the_account_and_no_credential(options: dict[str, Any]) -> None:
    backend = AzureBackend("box", **options)
    try:
        location = backend.location
    finally:
        backend.close()
    assert location.startswith("azure account '") and location.endswith("container 'box'")
    assert "acct" in location
    assert "SIGNATURE42" not in location and "S2VZMTIzNDU2Nzg5MA" not in location
