"""The async in-memory backend certified through the same rule bodies (bridged to sync)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from remote_store.aio import AsyncMemoryBackend
from remote_store_conformance import AsyncBackendConformance


class TestAsyncMemoryConformance(AsyncBackendConformance):
    backend_type = "memory (async)"

    @pytest.fixture
    def rs_async_backend_factory(self) -> Callable[[], AsyncMemoryBackend]:
        return AsyncMemoryBackend
