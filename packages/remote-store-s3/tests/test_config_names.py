"""S3 credentials under 0.27's names (key/secret) and the feature page's (access_key/secret_key)."""

from __future__ import annotations

import pytest
from remote_store import Secret
from remote_store.errors import ConfigError
from remote_store_s3 import S3Backend


@pytest.mark.parametrize(
    "options",
    [{"key": "AKIA1", "secret": "s3cr3t"}, {"access_key": "AKIA1", "secret_key": "s3cr3t"}],
)
def test_both_credential_spellings_are_accepted_and_masked(options: dict[str, str]) -> None:
    backend = S3Backend("bucket", endpoint_url="http://127.0.0.1:1", **options)  # type: ignore[arg-type]
    assert isinstance(backend._secret, Secret)
    assert backend._secret.reveal() == "s3cr3t"
    assert "s3cr3t" not in repr(backend) and "AKIA1" not in repr(backend)


def test_a_credential_given_under_both_names_is_refused() -> None:
    with pytest.raises(ConfigError):
        S3Backend("bucket", key="a", access_key="b")
