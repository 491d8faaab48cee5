"""Rules about errors: typed, never native, at the Store and at the backend."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from remote_store import Backend, Capability
from remote_store.errors import NotFound, RemoteStoreError

from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import Seed
from remote_store_conformance.suite._data import TREE

__all__ = ["ErrorRules"]


def _mapped(backend: Backend, call: Callable[[], object], key: str) -> RemoteStoreError | None:
    """The typed error a backend call ends in once the Store maps it, if it fails."""
    try:
        result = call()
        if isinstance(result, io.IOBase):
            with result:
                result.read()
    except Exception as exc:
        return backend.map_error(exc, key)
    return None


class ErrorRules:
    """Failures are specific RemoteStoreError types, whatever the backend raised natively."""

    @rule(Capability.READ)
    def test_backend_read_of_a_missing_file_maps_to_not_found(self, rs_seed: Seed) -> None:
        backend = rs_seed(TREE).backend
        error = _mapped(backend, lambda: backend.read("missing.txt"), "missing.txt")
        assert isinstance(error, NotFound), f"got {error!r}"
        error = _mapped(backend, lambda: backend.read_bytes("b/missing.txt"), "b/missing.txt")
        assert isinstance(error, NotFound), f"got {error!r}"

    @rule(Capability.METADATA)
    def test_backend_file_info_of_a_missing_file_maps_to_not_found(self, rs_seed: Seed) -> None:
        backend = rs_seed(TREE).backend
        error = _mapped(backend, lambda: backend.get_file_info("missing.txt"), "missing.txt")
        assert isinstance(error, NotFound), f"got {error!r}"

    @rule(Capability.DELETE, Capability.WRITE)
    def test_backend_delete_of_a_missing_file_maps_to_not_found(self, rs_seed: Seed) -> None:
        backend = rs_seed(TREE).backend
        error = _mapped(backend, lambda: backend.delete("missing.txt"), "missing.txt")
        assert isinstance(error, NotFound), f"got {error!r}"

    @rule(None)
    def test_queries_raise_no_error_for_missing_paths(self, rs_seed: Seed) -> None:
        backend = rs_seed(TREE).backend
        for key in ("missing.txt", "b/missing", "a.txt/below"):
            assert backend.exists(key) is False
            assert backend.is_file(key) is False
            assert backend.is_folder(key) is False

    @rule(None)
    def test_map_error_passes_typed_errors_through(self, rs_backend: Backend) -> None:
        original = NotFound("gone", path="x", backend=rs_backend.name)
        assert rs_backend.map_error(original, "x") is original
        assert isinstance(rs_backend.map_error(KeyError("x"), "x"), RemoteStoreError)

    @rule(Capability.READ)
    def test_store_errors_are_specific_types(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        with pytest.raises(RemoteStoreError) as caught:
            store.read_bytes("missing.txt")
        assert type(caught.value) is not RemoteStoreError, "a bare RemoteStoreError hides the cause"
