"""Fixtures: moto's S3 server (lazily, once per session) and stores over it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from remote_store import Store
from remote_store_conformance.atomic_moto import make_puts_atomic
from remote_store_conformance.servers import server_missing

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's S3 server in a thread on 127.0.0.1."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        server_missing(f"moto server is not installed ({exc})")
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
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


def new_bucket(moto_url: str) -> str:
    """A fresh bucket on the moto server."""
    import boto3

    bucket = f"t-{uuid.uuid4().hex[:20]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )
    client.create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture(scope="session")
def s3_store(moto_url: str) -> Iterator[Store]:
    """One store on a fresh bucket for the session (tests use their own folders in it);
    credentials from the environment (the provider's chain)."""
    from remote_store_s3 import S3Backend

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "x")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "y")
    backend = S3Backend(new_bucket(moto_url), endpoint_url=moto_url, region_name="us-east-1")
    with Store(backend, "warehouse") as store:
        yield store
