"""The conformance kit certifies the s3-pyarrow backend against moto over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from remote_store_conformance import BackendConformance
from remote_store_s3_pyarrow import S3PyArrowBackend


class TestS3PyArrowConformance(BackendConformance):
    backend_type = "s3-pyarrow"
    rs_secrets = ("conformance-secret-key",)
    # Writes go through the s3 backend's multipart path (one part uploading while the next
    # fills: ~19-22 MB traced whatever the size), so the large file is the s3 class's 96 MiB.
    rs_large_file_size = 96 * 1024 * 1024

    @pytest.fixture
    def rs_backend_factory(self, moto_process: Any) -> Callable[[], S3PyArrowBackend]:
        return lambda: S3PyArrowBackend(
            bucket=moto_process.new_bucket(),
            endpoint_url=moto_process.url,
            key="x",
            secret="conformance-secret-key",
        )
