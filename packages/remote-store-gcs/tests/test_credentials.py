"""Credentials: a service-account key (also from ``${VAR}`` in a config file) exchanged at
a token server, application-default credentials, anonymous; the key never shows."""

from __future__ import annotations

import json
import pickle
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from remote_store import Registry, RegistryConfig, Secret, Store
from remote_store.errors import PermissionDenied, RemoteStoreError, SecretNotPicklable
from remote_store_gcs import GCSBackend


@pytest.fixture(scope="module")
def private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class TokenServer:
    """An OAuth token endpoint on loopback: grants a token, or refuses every request."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.assertions: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                owner.assertions.append(body)
                answer: dict[str, object]
                if refuse:
                    answer, status = {"error": "invalid_grant"}, 400
                else:
                    answer = {"access_token": "granted-token", "expires_in": 3600}
                    status = 200
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    server = TokenServer()
    yield server
    server.close()


def key_json(private_key: str, token_uri: str) -> str:
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "demo-project",
            "private_key_id": "kid-1",
            "private_key": private_key,
            "client_email": "writer@demo-project.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": token_uri,
        }
    )


def _assert_hidden(text: str, private_key: str) -> None:
    body = private_key.splitlines()[5]  # a line from the middle of the PEM
    assert body not in text and "PRIVATE KEY" not in text


def test_a_service_account_key_is_exchanged_for_a_token_and_used(
    emulator: Any, bucket: str, private_key: str, token_server: TokenServer
) -> None:
    secret = key_json(private_key, token_server.url)
    backend = GCSBackend(bucket, endpoint_url=emulator.url, credentials_json=secret)
    with Store(backend) as store:
        store.write("signed.txt", b"with a token")
        assert store.read_bytes("signed.txt") == b"with a token"
    assert len(token_server.assertions) == 1  # one token for every request
    assert "assertion=" in token_server.assertions[0]
    for text in (repr(backend), str(backend.resolve("x"))):
        _assert_hidden(text, private_key)
    with pytest.raises(SecretNotPicklable):  # an inline key never travels in a pickle
        pickle.dumps(backend)


def test_a_refused_token_is_permission_denied_without_the_key(
    emulator: Any, bucket: str, private_key: str
) -> None:
    refusing = TokenServer(refuse=True)
    try:
        backend = GCSBackend(
            bucket,
            endpoint_url=emulator.url,
            credentials_json=Secret(key_json(private_key, refusing.url)),
        )
        with pytest.raises(PermissionDenied) as caught:
            backend.write("x", b"1")
    finally:
        refusing.close()
    _assert_hidden(str(caught.value) + repr(caught.value), private_key)
    assert caught.value.path == "x"


def test_a_key_from_a_config_variable_stays_secret(
    emulator: Any,
    bucket: str,
    private_key: str,
    token_server: TokenServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GCS_TEST_KEY", key_json(private_key, token_server.url))
    config_file = tmp_path / "remote-store.toml"
    config_file.write_text(
        "[backends.gcs]\n"
        'type = "gcs"\n'
        f'options.bucket = "{bucket}"\n'
        f'options.endpoint_url = "{emulator.url}"\n'
        'options.credentials_json = "${GCS_TEST_KEY}"\n'
        "[stores.data]\n"
        'backend = "gcs"\n'
        'root = "data/"\n'
    )
    config = RegistryConfig.from_toml(config_file, resolve_env_vars=True)
    _assert_hidden(repr(config), private_key)
    with Registry(config) as registry:
        store = registry.store("data")
        store.write("f.txt", b"configured")
        assert store.read_bytes("f.txt") == b"configured"
        _assert_hidden(repr(store) + repr(store.backend), private_key)
    assert token_server.assertions


def test_a_malformed_key_is_a_config_error_that_does_not_echo_it() -> None:
    text = '{"type": "service_account", "private_key": "-----BEGIN sk-live-123'
    backend = GCSBackend("b", credentials_json=text)
    with pytest.raises(RemoteStoreError) as caught:
        backend.write("x", b"1")
    assert "sk-live-123" not in str(caught.value) and "sk-live-123" not in repr(caught.value)
    assert "sk-live-123" not in repr(backend)


def test_without_credentials_application_default_credentials_are_looked_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no gcloud login here
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")  # no metadata server either
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    backend = GCSBackend("b")
    assert "adc" in repr(backend)
    with pytest.raises(PermissionDenied) as caught:
        backend.write("x", b"1")
    assert "credentials" in str(caught.value)


def test_adc_from_a_key_file_named_by_the_environment(
    emulator: Any,
    bucket: str,
    private_key: str,
    token_server: TokenServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_file = tmp_path / "key.json"
    key_file.write_text(key_json(private_key, token_server.url))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    backend = GCSBackend(bucket, endpoint_url=emulator.url, anonymous=False)
    with Store(backend) as store:
        store.write("adc.txt", b"adc")
    assert token_server.assertions
