"""Credentials (key, SAS, credential object, config secrets), masking, errors, retry."""

from __future__ import annotations

import importlib.util
import logging
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.core.credentials import AzureNamedKeyCredential
from remote_store import RetryPolicy, Secret, Store
from remote_store.errors import (
    BackendUnavailable,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RemoteStoreError,
)
from remote_store_azure import AsyncAzureBackend, AzureBackend
from remote_store_azure._clients import RetryMapping
from remote_store_azure.emulator import ACCOUNT, ACCOUNT_KEY

WRONG_KEY = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk="


def _round_trip(backend: AzureBackend) -> None:
    store = Store(backend, _owns=False)
    store.write("dir/f.txt", b"hello", metadata={"who": "me"})
    store.copy("dir/f.txt", "dir/g.txt")
    assert store.read_bytes("dir/g.txt") == b"hello"
    assert [str(i.path) for i in store.list_files("dir")] == ["dir/f.txt", "dir/g.txt"]
    store.move("dir/g.txt", "dir/h.txt")
    assert dict(store.get_file_info("dir/h.txt").metadata or {}) == {"who": "me"}
    store.delete_folder("dir", recursive=True)
    assert not store.exists("dir")


def test_account_key_with_account_url(azurite: Any) -> None:
    backend = AzureBackend(
        azurite.new_container(),
        account_name=ACCOUNT,
        account_url=azurite.account_url,
        account_key=Secret(ACCOUNT_KEY),
    )
    assert ACCOUNT_KEY not in repr(backend)
    _round_trip(backend)
    backend.close()


def test_credential_object(azurite: Any) -> None:
    credential = AzureNamedKeyCredential(ACCOUNT, ACCOUNT_KEY)
    backend = AzureBackend(
        azurite.new_container(), account_url=azurite.account_url, credential=credential
    )
    _round_trip(backend)
    assert ACCOUNT_KEY not in repr(backend)  # the credential object's key is not shown
    backend.close()


def test_sas_token_is_used_and_never_shown(azurite: Any, caplog: pytest.LogCaptureFixture) -> None:
    from azure.storage.blob import ContainerSasPermissions, generate_container_sas

    container = azurite.new_container()
    sas = generate_container_sas(
        ACCOUNT,
        container,
        account_key=ACCOUNT_KEY,
        permission=ContainerSasPermissions(
            read=True, write=True, delete=True, list=True, add=True, create=True
        ),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )
    signature = dict(part.split("=", 1) for part in sas.split("&"))["sig"]
    backend = AzureBackend(container, account_url=azurite.account_url, sas_token=sas)
    assert signature not in repr(backend) and sas not in repr(backend)
    caplog.set_level(logging.DEBUG)
    _round_trip(backend)
    with pytest.raises(NotFound) as caught:
        Store(backend).read_bytes("missing.txt")
    assert signature not in str(caught.value)
    assert signature not in caplog.text
    backend.close()


def test_connection_string_from_config_stays_secret(azurite: Any) -> None:
    from remote_store import Registry, RegistryConfig

    container = azurite.new_container()
    config = RegistryConfig.from_dict(
        {
            "backends": {
                "az": {
                    "type": "azure",
                    "options": {
                        "container": container,
                        "connection_string": azurite.connection_string,
                    },
                    "retry": {"max_attempts": 2, "backoff_base": 0.01, "jitter": 0.0},
                }
            },
            "stores": {"data": {"backend": "az", "root_path": "r"}},
        }
    )
    with Registry(config) as registry:
        store = registry.get_store("data")
        store.write("x.txt", b"x")
        assert store.read_bytes("x.txt") == b"x"
        assert ACCOUNT_KEY not in repr(store)
        assert ACCOUNT_KEY not in repr(registry)


def test_wrong_key_is_permission_denied_without_the_key(azurite: Any) -> None:
    backend = AzureBackend(
        azurite.new_container(),
        account_name=ACCOUNT,
        account_url=azurite.account_url,
        account_key=WRONG_KEY,
    )
    with Store(backend) as store, pytest.raises(PermissionDenied) as caught:
        store.write("x.txt", b"x")
    assert WRONG_KEY not in str(caught.value)
    assert WRONG_KEY not in repr(backend)


def test_missing_container_is_not_found(azurite: Any) -> None:
    with Store(azurite.backend("nosuchcontainer")) as store:
        with pytest.raises(NotFound):
            store.ping()
        with pytest.raises(NotFound):
            store.write("x.txt", b"x")


def test_unreachable_account_is_backend_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    retry = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.02, jitter=0.0)
    backend = AzureBackend(
        "c0ntainer",
        account_name=ACCOUNT,
        account_url=f"http://127.0.0.1:{port}/{ACCOUNT}",
        account_key=ACCOUNT_KEY,
        retry=retry,
    )
    with Store(backend) as store, pytest.raises(BackendUnavailable) as caught:
        store.read_bytes("x.txt")
    assert caught.value.retryable


def test_retry_policy_maps_to_the_sdk_retry() -> None:
    policy = RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_max=1.5, jitter=0.0)
    mapping = RetryMapping(policy)
    assert mapping.total_retries == 3
    waits = [mapping.get_backoff_time({"count": n}) for n in range(4)]
    assert waits == [0.5, 1.0, 1.5, 1.5]
    disabled = RetryMapping(RetryPolicy.disabled())
    assert disabled.total_retries == 0


def test_errors_are_classified_by_code_not_text(backend: AzureBackend, azurite: Any) -> None:
    store = Store(backend)
    store.write("leased.txt", b"x")
    container = backend.resolve("").details["container"]
    with azurite.service() as service:
        lease = service.get_blob_client(container, "leased.txt").acquire_lease(-1)
        with pytest.raises(PreconditionFailed) as caught:
            store.write("leased.txt", b"y", overwrite=True)
        lease.release()
    assert "LeaseIdMissing" in str(caught.value)
    assert isinstance(caught.value, RemoteStoreError)


@pytest.mark.skipif(
    importlib.util.find_spec("azure.identity") is not None,
    reason="azure-identity is installed: DefaultAzureCredential would be used",
)
def test_no_credential_without_azure_identity_is_backend_unavailable() -> None:
    backend = AsyncAzureBackend("c0ntainer", account_name="someaccount")
    from remote_store.aio import AsyncBackendSyncAdapter

    with Store(AsyncBackendSyncAdapter(backend)) as store, pytest.raises(BackendUnavailable):
        store.exists("x")
