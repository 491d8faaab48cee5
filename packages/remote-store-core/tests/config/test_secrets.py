"""Secret wrapping by pattern and recursively (COMPAT decision 3), and log redaction."""

from __future__ import annotations

import io
import logging
import pickle
import subprocess
import sys

import pytest
from remote_store._config import BackendConfig, StoreProfile
from remote_store._secret import (
    Secret,
    SecretRedactionFilter,
    is_secret_key,
    redact_text,
    reveal,
    wrap_secrets,
)


@pytest.mark.parametrize(
    "key",
    [
        "key",
        "secret",
        "password",
        "db_passwd",
        "token",
        "sas_token",
        "account_key",
        "connection_string",
        "secret_key",
        "access_key",
        "client_secret",
        "aws_session_token",
        "credentials",
        "private_key",
        "API_KEY",
    ],
)
def test_secret_key_names(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "bucket",
        "region",
        "key_filename",
        "public_key",
        "known_host_keys",
        "key_prefix",
        "credentials_file",
        "token_url",
        "host_key",
        "root",
    ],
)
def test_non_secret_key_names(key: str) -> None:
    assert not is_secret_key(key)


def test_wraps_top_level_secret_strings_only_under_secret_keys() -> None:
    out = wrap_secrets({"bucket": "b", "secret_key": "s3cr3t", "max_keys": 5})
    assert out["bucket"] == "b"
    assert isinstance(out["secret_key"], Secret)
    assert out["secret_key"].reveal() == "s3cr3t"
    assert out["max_keys"] == 5


def test_wraps_nested_tables_and_lists() -> None:
    out = wrap_secrets(
        {"client_options": {"auth": {"password": "pw-1234", "user": "bob"}, "tokens": ["t1", "t2"]}}
    )
    auth = out["client_options"]["auth"]
    assert isinstance(auth["password"], Secret)
    assert auth["user"] == "bob"
    assert all(isinstance(t, Secret) for t in out["client_options"]["tokens"])


def test_everything_under_a_secret_table_is_wrapped() -> None:
    out = wrap_secrets({"credentials": {"client_id": "id-1", "tenant": "t-1"}})
    assert all(isinstance(v, Secret) for v in out["credentials"].values())


def test_every_header_value_is_wrapped() -> None:
    out = wrap_secrets({"headers": {"Authorization": "Bearer abc", "Accept": "text/plain"}})
    assert all(isinstance(v, Secret) for v in out["headers"].values())
    assert reveal(out["headers"]["Accept"]) == "text/plain"


def test_url_with_userinfo_is_wrapped_anywhere() -> None:
    out = wrap_secrets({"url": "postgresql://u:pw@db/x", "hosts": ["https://a:b@h/"]})
    assert isinstance(out["url"], Secret)
    assert isinstance(out["hosts"][0], Secret)
    assert wrap_secrets({"url": "https://h/x"})["url"] == "https://h/x"


def test_existing_secret_stays_a_secret() -> None:
    secret = Secret("abcd1234")
    assert wrap_secrets({"bucket": secret})["bucket"] is secret


def test_backend_config_and_store_profile_wrap_on_construction() -> None:
    config = BackendConfig("s3", {"token": "tok-abcdef"})
    profile = StoreProfile("b", options={"password": "pw-abcdef"})
    assert isinstance(config.options["token"], Secret)
    assert isinstance(profile.options["password"], Secret)
    assert "tok-abcdef" not in repr(config)
    assert "pw-abcdef" not in repr(profile)


def test_redact_text_masks_url_userinfo_and_known_values() -> None:
    Secret("known-value-xyz")
    text = redact_text("connect https://me:pw@host/ with known-value-xyz")
    assert text == "connect https://***@host/ with ***"


def test_inline_secret_refuses_to_pickle() -> None:
    from remote_store.errors import SecretNotPicklable

    with pytest.raises(SecretNotPicklable, match="allow_secret_pickling"):
        pickle.dumps(Secret("pickled-secret"))


def test_filter_masks_args_message_and_traceback_on_a_foreign_logger() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretRedactionFilter())
    logger = logging.getLogger("someone.else")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        Secret("filter-value-1")
        try:
            raise ValueError("boom filter-value-1")
        except ValueError:
            logger.exception("got %s and %s", Secret("filter-value-2"), "http://u:p@h")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "got *** and http://***@h" in out
    assert "filter-value" not in out
    assert "boom ***" in out


def test_child_logger_records_are_masked_by_default(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("child-logger-secret")
    child = logging.getLogger("remote_store.some.deep.child")
    with caplog.at_level(logging.DEBUG, logger="remote_store"):
        child.debug("plain %s revealed %s", secret, secret.reveal())
    assert caplog.records[-1].getMessage() == "plain *** revealed ***"


def test_plugin_logger_records_are_masked_by_default(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("plugin-logger-secret")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("remote_store_s3.backend").info("key=%s", secret.reveal())
    assert caplog.records[-1].getMessage() == "key=***"


def test_foreign_loggers_are_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    Secret("foreign-logger-value")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("app").info("value=%s", "foreign-logger-value")
    assert caplog.records[-1].getMessage() == "value=foreign-logger-value"


def test_redaction_is_on_after_a_plain_import() -> None:
    code = (
        "import logging, io, remote_store\n"
        "from remote_store._secret import Secret\n"
        "s = io.StringIO(); logging.basicConfig(stream=s, level=logging.DEBUG)\n"
        "logging.getLogger('remote_store.x').debug('v=%s', Secret('import-secret').reveal())\n"
        "print(s.getvalue())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "v=***" in out.stdout
    assert "import-secret" not in out.stdout


def test_the_redacting_record_factory_accepts_a_record_without_a_name() -> None:
    """``logging.makeLogRecord({})`` (used by dagster's log manager) names the record None."""
    import remote_store  # noqa: F401 - installs the factory

    record = logging.makeLogRecord({"msg": "x"})
    assert record.name is None
