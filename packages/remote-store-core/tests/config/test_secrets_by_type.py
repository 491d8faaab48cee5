"""Secrets decided by the declared option type; URL credentials; SDK log masking."""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import Any

import pytest
from remote_store import RegistryConfig, Store, set_sdk_log_redaction
from remote_store._config import BackendConfig
from remote_store._option_types import declared_options, wrap_declared
from remote_store._secret import Secret, redact_text, reveal, sdk_log_redaction_active
from remote_store.backends._memory import MemoryBackend


class TypedBackend(MemoryBackend):
    """Options declared like real backends do."""

    def __init__(
        self,
        host_key_policy: str = "strict",
        password: str | Secret | None = None,
        account_url: str | None = None,
        headers: dict[str, str | Secret] | None = None,
        client_options: dict[str, Any] | None = None,
        port: int = 22,
    ) -> None:
        super().__init__()
        if host_key_policy not in ("strict", "tofu", "auto"):
            raise ValueError(f"host_key_policy must be strict, tofu or auto, got {host_key_policy}")
        self.seen = {"password": password, "headers": headers, "client_options": client_options}
        self.host_key_policy = host_key_policy


DECLARED = declared_options(TypedBackend)


def test_declared_secret_is_wrapped_and_a_plain_str_never_is() -> None:
    out = wrap_declared({"host_key_policy": "tofu", "password": "pw-typed-1", "port": 22}, DECLARED)
    assert out["host_key_policy"] == "tofu"
    assert isinstance(out["password"], Secret)


def test_header_values_follow_the_declared_mapping_value_type() -> None:
    out = wrap_declared({"headers": {"Authorization": "Bearer t-123456"}}, DECLARED)
    assert isinstance(out["headers"]["Authorization"], Secret)


def test_free_form_options_fall_back_to_key_patterns() -> None:
    out = wrap_declared({"client_options": {"token": "tk-abcdef", "region": "eu"}}, DECLARED)
    assert isinstance(out["client_options"]["token"], Secret)
    assert out["client_options"]["region"] == "eu"


def test_url_credentials_in_a_plain_str_option_are_masked_in_logs_and_reprs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = "https://acct.example.net/?sv=1&sig=SAS-SIGNATURE-VALUE-1"
    out = wrap_declared({"account_url": url}, DECLARED)
    assert out["account_url"] == url  # the backend gets what it declared: a str
    with caplog.at_level(logging.DEBUG, logger="remote_store"):
        logging.getLogger("remote_store.t").debug("sig alone: %s", "SAS-SIGNATURE-VALUE-1")
    assert "SAS-SIGNATURE-VALUE-1" not in caplog.text
    config = BackendConfig("typed-unknown", {"account_url": url})
    assert "SAS-SIGNATURE-VALUE-1" not in repr(config)


def test_host_key_policy_from_config_reaches_the_backend() -> None:
    config = RegistryConfig.from_dict(
        {
            "backends": {"b": {"type": "typed", "options": {"host_key_policy": "auto"}}},
            "stores": {"s": {"backend": "b"}},
        }
    )
    from remote_store import Registry

    with Registry(config, backends={"typed": TypedBackend}) as registry:
        backend = registry.get_store("s").backend  # accepted, not masked into "***"
        assert isinstance(backend, TypedBackend)
        assert backend.host_key_policy == "auto"
        assert type(backend.host_key_policy) is str


def test_host_key_policy_words_are_not_masked_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    RegistryConfig.from_dict(
        {"backends": {"s": {"type": "sftp-missing", "options": {"host_key_policy": "tofu"}}}}
    )
    with caplog.at_level(logging.DEBUG, logger="remote_store"):
        logging.getLogger("remote_store.t").debug("policy tofu")
    assert "policy tofu" in caplog.text


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("postgresql://db/x?user=u&password=pw-query-1", "pw-query-1"),
        ("https://a.blob.core.windows.net/c?sv=2024&sig=abc%2Bdef123", "abc%2Bdef123"),
        ("https://user:pa55word@host/x", "pa55word"),
        ("https://ghp_token123@github.com/o/r", "ghp_token123"),
        ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=AK-123==;", "AK-123=="),
        (
            "Credential=AKIAEXAMPLE/20240101/us-east-1/s3/aws4_request, Signature=ff00",
            "AKIAEXAMPLE",
        ),
        ("https://h/?access_token=at-123456&x=1", "at-123456"),
        ("https://h/?X-Amz-Security-Token=st-12345", "st-12345"),
    ],
)
def test_redact_text_masks_url_and_field_secrets(text: str, hidden: str) -> None:
    assert hidden not in redact_text(text)


def test_redact_text_leaves_ordinary_fields() -> None:
    text = "key=data/a.txt sort_key=x policy=tofu https://h/p?page=2"
    assert redact_text(text) == text


def test_sdk_loggers_are_masked_while_a_store_is_open(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("sdk-secret-value-1")
    sdk = logging.getLogger("botocore.endpoint")
    store = Store(MemoryBackend())
    try:
        assert sdk_log_redaction_active()
        with caplog.at_level(logging.DEBUG):
            sdk.debug("Authorization: %s", secret.reveal())
            logging.getLogger("httpx").info("GET https://u:p4ssw0rd@h/x")
        assert "sdk-secret-value-1" not in caplog.text
        assert "p4ssw0rd" not in caplog.text
        set_sdk_log_redaction(False)
        try:
            with caplog.at_level(logging.DEBUG):
                sdk.debug("switched off: %s", secret.reveal())
            assert "switched off: sdk-secret-value-1" in caplog.text
        finally:
            set_sdk_log_redaction(True)
    finally:
        store.close()


def test_sdk_masking_is_off_without_an_open_store() -> None:
    code = (
        "import logging, io\n"
        "from remote_store import Store\n"
        "from remote_store._secret import Secret\n"
        "from remote_store.backends._memory import MemoryBackend\n"
        "s = io.StringIO(); logging.basicConfig(stream=s, level=logging.DEBUG)\n"
        "v = Secret('sdk-proc-secret').reveal()\n"
        "logging.getLogger('botocore.auth').debug('before %s', v)\n"
        "store = Store(MemoryBackend())\n"
        "logging.getLogger('botocore.auth').debug('open %s', v)\n"
        "store.close()\n"
        "logging.getLogger('botocore.auth').debug('after %s', v)\n"
        "print(s.getvalue())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "before sdk-proc-secret" in out.stdout
    assert "open ***" in out.stdout
    assert "after sdk-proc-secret" in out.stdout


def test_switch_off_by_environment_variable() -> None:
    code = (
        "import logging, io\n"
        "from remote_store import Store\n"
        "from remote_store._secret import Secret\n"
        "from remote_store.backends._memory import MemoryBackend\n"
        "s = io.StringIO(); logging.basicConfig(stream=s, level=logging.DEBUG)\n"
        "store = Store(MemoryBackend())\n"
        "logging.getLogger('httpx').info('v=%s', Secret('env-off-secret').reveal())\n"
        "print(s.getvalue())"
    )
    env = {"REMOTE_STORE_REDACT_SDK_LOGS": "0", "PATH": ""}
    import os

    env.update({k: v for k, v in os.environ.items() if k != "REMOTE_STORE_REDACT_SDK_LOGS"})
    env["REMOTE_STORE_REDACT_SDK_LOGS"] = "0"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert "v=env-off-secret" in out.stdout


def test_reveal_of_a_plain_string() -> None:
    assert reveal("x") == "x"
