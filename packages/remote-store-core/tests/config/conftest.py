"""Fixtures of the config tests: backend classes with known constructor signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from remote_store import _discovery, _plugins
from remote_store._backend_types import _global_factories
from remote_store._retry import RetryPolicy
from remote_store.backends._memory import MemoryBackend


class BucketBackend(MemoryBackend):
    """A memory backend whose constructor looks like a cloud backend's."""

    def __init__(
        self,
        bucket: str,
        access_key: Any = None,
        secret_key: Any = None,
        region: str = "eu-west-1",
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__()
        self.bucket = bucket
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.retry = retry


class AnyOptionsBackend(MemoryBackend):
    """A memory backend taking any option (``**options``), kept for inspection."""

    def __init__(self, **options: Any) -> None:
        super().__init__()
        self.options = options


@pytest.fixture(autouse=True)
def _clean_process_state() -> Iterator[None]:
    """No test leaks register_backend entries, plugins or cached entry points."""
    saved = dict(_global_factories)
    yield
    _global_factories.clear()
    _global_factories.update(saved)
    _plugins.reset_plugin_manager()
    _discovery.refresh()
