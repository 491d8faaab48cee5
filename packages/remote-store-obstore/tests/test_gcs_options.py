"""gcs-obstore's options (the emulator tests are in test_gcs_emulator.py)."""

from __future__ import annotations

import pytest
from remote_store.backend import Secret
from remote_store.errors import ConfigError
from remote_store_obstore import GcsObstoreBackend


def test_options_of_the_gcs_backend_are_accepted_and_secrets_masked() -> None:
    backend = GcsObstoreBackend(
        "bucket", token=Secret("gcs-bearer-token-value"), project="p", chunk_size=8 * 1024 * 1024
    )
    assert "gcs-bearer-token-value" not in repr(backend)
    assert backend.part_size == 8 * 1024 * 1024
    assert backend.native_path("a/b") == "bucket/a/b"
    assert backend.to_key("gs://bucket/a/b") == "a/b"


def test_an_emulator_endpoint_without_credentials_is_anonymous() -> None:
    backend = GcsObstoreBackend("bucket", endpoint_url="http://127.0.0.1:4443")
    assert "anonymous=True" in repr(backend)
    assert "anonymous=False" in repr(GcsObstoreBackend("bucket", token="t"))


def test_a_malformed_key_is_a_config_error_without_its_content() -> None:
    with pytest.raises(ConfigError) as caught:
        GcsObstoreBackend(
            "bucket",
            credentials_json='{"type": "service_account", "private_key_id": "k1",'
            ' "client_email": "a@b.iam", "private_key": "leaky-material"}',
        )
    assert "leaky-material" not in str(caught.value)


def test_credentials_and_anonymous_together_are_refused() -> None:
    with pytest.raises(ConfigError):
        GcsObstoreBackend("bucket", token="t", anonymous=True)
    with pytest.raises(ConfigError):
        GcsObstoreBackend(" ")
