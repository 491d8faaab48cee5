"""Fixtures: one moto_server process on loopback per session, a fresh bucket per backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from remote_store_conformance.atomic_moto import server_process

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


@dataclass
class Moto:
    url: str

    def new_bucket(self) -> str:
        import boto3

        name = f"t-{uuid.uuid4().hex[:20]}"
        client = boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
        )
        client.create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def moto_process() -> Iterator[Moto]:
    """moto's S3 server as a separate process (memory rules then measure the client only)."""
    with server_process() as port:
        yield Moto(url=f"http://127.0.0.1:{port}")
