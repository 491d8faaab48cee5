"""Leak scan (issue 21): a GCS service-account key and the access token it is exchanged
for never show on any surface.

Against the fake-gcs-server these tests start and an OAuth token endpoint on loopback
(the key's ``token_uri``): the key as ``credentials_json`` loaded as a dict, inline TOML
and ``${VAR}`` TOML; google-auth, requests, urllib3 and every other logger at DEBUG.
"""

from __future__ import annotations

import json
import pathlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from remote_store import Store
from remote_store_conformance.leakscan import LeakScan, scan_backend

ACCESS_TOKEN = "ya29.LEAK-GCS-ACCESS-TOKEN-5d2c8e1f7a9b"


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


GRANTS: list[str] = []


@pytest.fixture
def token_url() -> Iterator[str]:
    """An OAuth token endpoint that grants :data:`ACCESS_TOKEN` for any assertion."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            GRANTS.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            payload = json.dumps({"access_token": ACCESS_TOKEN, "expires_in": 3600}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/token"
    server.shutdown()
    server.server_close()


def _exercise(store: Store, scan: LeakScan, shape: str) -> None:
    scan.call(f"{shape}: write", lambda: store.write("leak/a.txt", b"x", overwrite=True))
    assert scan.call(f"{shape}: read", lambda: store.read_bytes("leak/a.txt")) == b"x"
    scan.call(f"{shape}: list", lambda: list(store.list_files("leak")))
    scan.call(f"{shape}: info", lambda: store.get_file_info("leak/a.txt"))
    scan.call(f"{shape}: copy", lambda: store.copy("leak/a.txt", "leak/b.txt", overwrite=True))
    scan.call(f"{shape}: delete", lambda: store.delete_folder("leak", recursive=True))


def test_service_account_key_and_token_never_leak(
    emulator: Any, private_key: str, token_url: str, tmp_path: pathlib.Path
) -> None:
    key_json = json.dumps(
        {
            "type": "service_account",
            "project_id": "leak-project",
            "private_key_id": "kid-leak",
            "private_key": private_key,
            "client_email": "leak@leak-project.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": token_url,
        }
    )
    options = {
        "bucket": emulator.new_bucket(),
        "endpoint_url": emulator.url,
        "credentials_json": key_json,
    }
    pem_lines = private_key.splitlines()[1:-1]
    secrets = [pem_lines[0], pem_lines[len(pem_lines) // 2], ACCESS_TOKEN]
    GRANTS.clear()
    assert scan_backend("gcs", options, secrets, _exercise, tmp_path) == []
    assert len(GRANTS) >= 3  # a token exchanged in each of the three shapes
