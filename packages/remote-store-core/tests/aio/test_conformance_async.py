"""The conformance kit certifies the async backends and both bridges.

* ``AsyncMemoryBackend`` and ``SyncBackendAdapter(LocalBackend)`` through the kit's async
  mode (each wrapped in ``AsyncBackendSyncAdapter``, so the same rule bodies run).
* ``AsyncBackendSyncAdapter(AsyncMemoryBackend)`` as a plain sync backend.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from remote_store.aio import (
    AsyncBackend,
    AsyncBackendSyncAdapter,
    AsyncMemoryBackend,
    SyncBackendAdapter,
)
from remote_store.backends import LocalBackend
from remote_store_conformance import AsyncBackendConformance, BackendConformance


class TestAsyncMemoryBackend(AsyncBackendConformance):
    backend_type = "memory (async)"

    @pytest.fixture
    def rs_async_backend_factory(self) -> Callable[[], AsyncBackend]:
        return AsyncMemoryBackend


class TestSyncBackendAdapterOverLocal(AsyncBackendConformance):
    backend_type = "local (SyncBackendAdapter)"

    @pytest.fixture
    def rs_async_backend_factory(self, tmp_path: Path) -> Callable[[], AsyncBackend]:
        counter = iter(range(1_000_000))
        return lambda: SyncBackendAdapter(LocalBackend(tmp_path / f"root-{next(counter)}"))


class TestAsyncBackendSyncAdapterOverMemory(BackendConformance):
    backend_type = "memory (AsyncBackendSyncAdapter)"

    @pytest.fixture
    def rs_backend_factory(self) -> Callable[[], AsyncBackendSyncAdapter]:
        return lambda: AsyncBackendSyncAdapter(AsyncMemoryBackend())
