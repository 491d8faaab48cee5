"""The conformance kit certifies each obstore backend against its emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from remote_store_conformance import AsyncBackendConformance, BackendConformance
from remote_store_obstore import (
    AsyncAzureObstoreBackend,
    AsyncS3ObstoreBackend,
    AzureObstoreBackend,
    S3ObstoreBackend,
)

#: The bounded-memory rules' file. A write holds about part_size x (max_concurrency + 1)
#: = 25 MiB whatever the size; the kit allows a quarter of the file, so 128 MiB makes the
#: allowance 32 MiB, the project's RSS target for streamed writes.
LARGE = 128 * 1024 * 1024


class TestS3ObstoreConformance(BackendConformance):
    backend_type = "s3-obstore"
    rs_large_file_size = LARGE
    rs_secrets = ("conformance-secret-key",)

    @pytest.fixture
    def rs_backend_factory(self, moto_process: Any) -> Callable[[], S3ObstoreBackend]:
        moto = moto_process  # a separate process: the memory rules measure the client only
        return lambda: S3ObstoreBackend(
            bucket=moto.new_bucket(),
            endpoint_url=moto.url,
            key="x",
            secret="conformance-secret-key",
        )


class TestAzureObstoreConformance(BackendConformance):
    backend_type = "azure-obstore"
    rs_large_file_size = LARGE

    @pytest.fixture
    def rs_backend_factory(self, azurite: Any) -> Callable[[], AzureObstoreBackend]:
        return lambda: azurite.backend()


class TestAsyncS3ObstoreConformance(AsyncBackendConformance):
    backend_type = "s3-obstore"
    rs_large_file_size = LARGE
    rs_secrets = ("conformance-secret-key",)

    @pytest.fixture
    def rs_async_backend_factory(self, moto_process: Any) -> Callable[[], AsyncS3ObstoreBackend]:
        moto = moto_process
        return lambda: AsyncS3ObstoreBackend(
            bucket=moto.new_bucket(),
            endpoint_url=moto.url,
            key="x",
            secret="conformance-secret-key",
        )


class TestAsyncAzureObstoreConformance(AsyncBackendConformance):
    backend_type = "azure-obstore"
    rs_large_file_size = LARGE

    @pytest.fixture
    def rs_async_backend_factory(self, azurite: Any) -> Callable[[], AsyncAzureObstoreBackend]:
        return lambda: AsyncAzureObstoreBackend(
            azurite.new_container(), connection_string=azurite.connection_string
        )
