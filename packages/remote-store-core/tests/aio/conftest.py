"""Fixtures for the async tests: async stores over each kind of backend."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from remote_store.aio import AsyncMemoryBackend, AsyncStore, SyncBackendAdapter
from remote_store.backends import LocalBackend

sys.path.insert(0, str(Path(__file__).parent))  # for ``rs_aio_testing`` (importlib mode)


@pytest.fixture(params=["async-memory", "sync-adapter-local"])
def backend_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(backend_kind: str, tmp_path: Path) -> Callable[[], AsyncStore]:
    """A factory of AsyncStores over one fresh backend (call it inside the test's loop)."""

    def factory() -> AsyncStore:
        if backend_kind == "async-memory":
            return AsyncStore(AsyncMemoryBackend())
        return AsyncStore(SyncBackendAdapter(LocalBackend(tmp_path / "root")))

    return factory
