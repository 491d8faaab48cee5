"""The conformance kit certifies the gcs backend against fake-gcs-server over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from remote_store_conformance import BackendConformance
from remote_store_gcs import GCSBackend


class TestGCSConformance(BackendConformance):
    backend_type = "gcs"

    @pytest.fixture
    def rs_backend_factory(self, emulator: Any) -> Callable[[], GCSBackend]:
        return lambda: emulator.backend()
