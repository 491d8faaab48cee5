"""azure-obstore against Azurite: credentials from a connection string or a SAS token, and
no SAS in an error."""

from __future__ import annotations

from typing import Any

import pytest
from remote_store.errors import AlreadyExists, ConfigError, PermissionDenied
from remote_store_obstore import AzureObstoreBackend

BAD_SAS = "sv=2023-11-03&ss=b&srt=sco&sp=rwdl&se=2030-01-01T00:00:00Z&sig=SECRETSIGVALUE0001"


def test_a_rejected_sas_token_is_permission_denied_and_never_shown(azurite: Any) -> None:
    backend = AzureObstoreBackend(
        azurite.new_container(),
        account_url=azurite.account_url,
        account_name="devstoreaccount1",
        sas_token=BAD_SAS,
    )
    assert "SECRETSIGVALUE0001" not in repr(backend)
    with pytest.raises(PermissionDenied) as caught:
        backend.write("x.txt", b"data")
    error = caught.value
    for item in (error, error.__cause__, error.__context__):
        assert item is None or "SECRETSIGVALUE0001" not in str(item)


def test_a_create_only_put_is_refused_by_azurite(azurite: Any) -> None:
    backend = azurite.backend()
    backend.write("once.txt", b"first")
    with pytest.raises(AlreadyExists):
        backend.write("once.txt", b"second")
    assert backend.read_bytes("once.txt") == b"first"


def test_options_azure_obstore_cannot_honour_are_refused() -> None:
    with pytest.raises(ConfigError):
        AzureObstoreBackend("c", account_name="a", hns=True)
    with pytest.raises(ConfigError):
        AzureObstoreBackend("c", account_name="a", credential=object())
    with pytest.raises(ConfigError):
        AzureObstoreBackend("c")  # no way to find the account
