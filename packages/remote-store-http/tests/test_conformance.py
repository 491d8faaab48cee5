"""The kit certifies the read-only HTTP backend against nginx."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from remote_store_conformance import BackendConformance
from remote_store_http import ReadOnlyHttpBackend


class TestHttpConformance(BackendConformance):
    backend_type = "http"

    @pytest.fixture
    def rs_seeded_backend_factory(
        self, nginx: Any
    ) -> Iterator[Callable[[Mapping[str, bytes]], ReadOnlyHttpBackend]]:
        made: list[ReadOnlyHttpBackend] = []

        def seeded(files: Mapping[str, bytes]) -> ReadOnlyHttpBackend:
            backend = ReadOnlyHttpBackend(nginx.publish(files))
            made.append(backend)
            return backend

        yield seeded
        for backend in made:
            backend.close()

    @pytest.fixture
    def rs_backend_factory(
        self, rs_seeded_backend_factory: Callable[[Mapping[str, bytes]], ReadOnlyHttpBackend]
    ) -> Callable[[], ReadOnlyHttpBackend]:
        return lambda: rs_seeded_backend_factory({})
