"""remote-store-jsondir certified by the remote-store conformance kit."""

from collections.abc import Callable
from pathlib import Path

import pytest
from remote_store import Backend
from remote_store_conformance import BackendConformance
from remote_store_jsondir import JsonDirBackend


class TestJsonDirConformance(BackendConformance):
    backend_type = "jsondir"

    @pytest.fixture
    def rs_backend_factory(self, tmp_path: Path) -> Callable[[], Backend]:
        count = iter(range(1_000_000))
        return lambda: JsonDirBackend(str(tmp_path / f"docs-{next(count)}"))
