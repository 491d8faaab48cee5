"""The core backends, local and memory, certified by the kit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from remote_store import Backend
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store_conformance import BackendConformance


class TestMemoryConformance(BackendConformance):
    backend_type = "memory"

    @pytest.fixture
    def rs_backend_factory(self) -> Callable[[], Backend]:
        return MemoryBackend


class TestLocalConformance(BackendConformance):
    backend_type = "local"

    @pytest.fixture
    def rs_backend_factory(self, tmp_path: Path) -> Callable[[], Backend]:
        counter = iter(range(1_000_000))
        return lambda: LocalBackend(tmp_path / f"root-{next(counter)}")
