"""Fixtures: stores for the bridge, and moto's S3 server (started lazily, once per session,
only by the tests that ask for it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from remote_store import Store
from remote_store.backends import MemoryBackend
from remote_store_conformance.atomic_moto import make_puts_atomic
from remote_store_conformance.servers import server_missing


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(MemoryBackend()) as result:
        yield result


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's S3 server in a thread on 127.0.0.1 (the approach of remote-store-s3's tests)."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
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
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_store(moto_url: str) -> Iterator[Store]:
    """A store on a fresh bucket of the moto server, through remote-store-s3."""
    s3 = pytest.importorskip(
        "remote_store_s3", reason="remote-store-s3 is not installed: no S3 round trip"
    )
    import boto3

    bucket = f"t-{uuid.uuid4().hex[:20]}"
    options: dict[str, Any] = {"region_name": "us-east-1"}
    client = boto3.client(
        "s3", endpoint_url=moto_url, aws_access_key_id="x", aws_secret_access_key="y", **options
    )
    client.create_bucket(Bucket=bucket)
    backend = s3.S3Backend(bucket=bucket, endpoint_url=moto_url, key="x", secret="y")
    with Store(backend, "warehouse") as result:
        yield result
