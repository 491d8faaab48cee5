"""Leak test: secrets under ten key shapes never appear in any repr, str, log record,
exception message, traceback or pickle produced while loading, using, logging, failing
and closing a registry."""

from __future__ import annotations

import io
import logging
import pathlib
import pickle
import traceback
from typing import Any

import pytest
from remote_store._config import RegistryConfig
from remote_store._registry import Registry
from remote_store._secret import Secret, reveal
from remote_store.backends._memory import MemoryBackend
from remote_store.errors import SecretNotPicklable

SECRETS = {
    "secret_key": "LEAK01-secret-key-value",
    "access_key": "LEAK02-access-key-value",
    "token": "LEAK03-token-value",
    "client_secret": "LEAK04-client-secret-value",
    "url_password": "LEAK05-url-password",
    "authorization": "Bearer LEAK06-authorization-value",
    "nested": "LEAK07-nested-private-key",
    "password": "LEAK08-password-value",
    "connection_string": "AccountName=a;AccountKey=LEAK09-connection-string",
    "sas_token": "sv=2024&sig=LEAK10-sas-signature",
}

TOML = """
[backends.vault]
type = "leaky"
[backends.vault.options]
secret_key = "${LEAK_SECRET_KEY}"
access_key = "LEAK02-access-key-value"
token = "LEAK03-token-value"
client_secret = "LEAK04-client-secret-value"
url = "https://admin:LEAK05-url-password@files.example.com/data"
password = "LEAK08-password-value"
connection_string = "AccountName=a;AccountKey=LEAK09-connection-string"
sas_token = "sv=2024&sig=LEAK10-sas-signature"
[backends.vault.options.headers]
Authorization = "Bearer LEAK06-authorization-value"
[backends.vault.options.client_options.credentials]
private_key = "LEAK07-nested-private-key"

[backends.broken]
type = "failing"
options = { token = "LEAK03-token-value", url = "https://admin:LEAK05-url-password@h/" }

[stores.files]
backend = "vault"
root = "files/"

[stores.broken]
backend = "broken"
"""

log = logging.getLogger("remote_store.tests.leak")


class LeakyBackend(MemoryBackend):
    """A careless backend: it logs its options, revealed, at DEBUG and fails on close."""

    def __init__(self, **options: Any) -> None:
        super().__init__()
        self.options = options
        log.debug("constructed with %s", options)
        log.debug("revealed token %s", reveal(options["token"]))
        log.debug("revealed url %s", reveal(options["url"]))

    def close(self) -> None:
        raise OSError(f"close failed for {reveal(self.options['password'])}")


def failing_backend(**options: Any) -> MemoryBackend:
    """A constructor that quotes its options in its error message."""
    raise ValueError(f"cannot connect: {reveal(options['token'])} via {reveal(options['url'])}")


def assert_clean(text: str | bytes, where: str) -> None:
    data = text.decode("latin-1") if isinstance(text, bytes) else text
    for shape, value in SECRETS.items():
        needle = value.split("LEAK", 1)[1]  # the distinctive part of each value
        assert needle not in data, f"{shape} leaked in {where}"


def test_no_secret_appears_anywhere(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LEAK_SECRET_KEY", SECRETS["secret_key"])
    path = tmp_path / "leak.toml"
    path.write_text(TOML)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    captured: list[str | bytes] = []
    try:
        # another test may have raised this logger's level or disabled it (dictConfig)
        monkeypatch.setattr(log, "disabled", False)
        with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger=log.name):
            # load (env interpolation first, then secret wrapping)
            config = RegistryConfig.from_toml(path, resolve_env_vars=True)
            options = config.backends["vault"].options
            assert reveal(options["secret_key"]) == SECRETS["secret_key"]
            assert isinstance(options["headers"]["Authorization"], Secret)
            assert isinstance(options["client_options"]["credentials"]["private_key"], Secret)
            assert isinstance(options["url"], Secret)

            registry = Registry(
                config, backends={"leaky": LeakyBackend, "failing": failing_backend}
            )
            # use
            store = registry.get_store("files")
            store.write("a.txt", b"payload")
            assert store.read_bytes("a.txt") == b"payload"
            # fail at construction
            with pytest.raises(ValueError) as construct_error:
                registry.get_store("broken")
            # fail at close
            with pytest.raises(Exception) as close_error:
                registry.close()
            for info in (construct_error, close_error):
                captured.append(str(info.value))
                captured.append(repr(info.value))
                captured.append("".join(traceback.format_exception(info.value)))
                captured.append(pickle.dumps(info.value))
                log.exception("logged failure", exc_info=info.value)
            # repr / str / pickle of every object
            for obj in (config, config.backends, config.stores, registry, store, options):
                captured += [repr(obj), str(obj), f"{obj}"]
            # an inline secret refuses to pickle (naming its path), never pickles masked
            with pytest.raises(SecretNotPicklable) as refused:
                pickle.dumps(config)
            assert refused.value.option is not None and refused.value.option.startswith("$.")
            captured += [str(refused.value), repr(refused.value)]
            log.debug("config is %r", config)
    finally:
        root.removeHandler(handler)
    captured.append(stream.getvalue())
    captured += [r.getMessage() for r in caplog.records]
    captured += [caplog.text]
    assert "constructed with" in stream.getvalue()  # the careless log lines were emitted
    assert "revealed token ***" in caplog.text
    for number, text in enumerate(captured):
        assert_clean(text, f"captured item {number}")
