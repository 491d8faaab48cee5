"""Rules about the backend object itself: identity, naming, health."""

from __future__ import annotations

import pytest
from remote_store import Backend, CapabilitySet, ResolutionPlan, Store
from remote_store.errors import CapabilityNotSupported, RemoteStoreError

from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import Settings

__all__ = ["IdentityRules"]


class _Unrelated:
    """A type no backend offers as a native handle."""


class IdentityRules:
    """Identity, naming and health of the backend."""

    @rule(None)
    def test_backend_is_a_backend_instance(self, rs_backend: Backend) -> None:
        assert isinstance(rs_backend, Backend)

    @rule(None)
    def test_name_is_a_non_empty_string(self, rs_backend: Backend) -> None:
        assert isinstance(rs_backend.name, str)
        assert rs_backend.name.strip()

    @rule(None)
    def test_capabilities_are_a_subset_of_the_class_capabilities(self, rs_backend: Backend) -> None:
        assert isinstance(rs_backend.capabilities, CapabilitySet)
        assert isinstance(type(rs_backend).CAPABILITIES, CapabilitySet)
        assert rs_backend.capabilities <= type(rs_backend).CAPABILITIES

    @rule(None)
    def test_repr_never_shows_a_secret(self, rs_backend: Backend, rs_settings: Settings) -> None:
        text = repr(rs_backend)
        assert isinstance(text, str)
        for secret in rs_settings.secrets:
            assert secret not in text

    @rule(None)
    def test_close_can_be_called_twice(self, rs_backend: Backend) -> None:
        rs_backend.close()
        rs_backend.close()
        assert rs_backend.name  # still a usable object after closing

    @rule(None)
    def test_unwrap_of_an_unrelated_type_raises_capability_not_supported(
        self, rs_store: Store
    ) -> None:
        with pytest.raises(CapabilityNotSupported):
            rs_store.unwrap(_Unrelated)

    @rule(None)
    def test_native_path_of_the_root_maps_back_to_the_root(self, rs_backend: Backend) -> None:
        native = rs_backend.native_path("")
        assert isinstance(native, str)
        assert rs_backend.to_key(native) == ""

    @rule(None)
    def test_native_path_and_to_key_round_trip(self, rs_backend: Backend) -> None:
        for key in ("a.txt", "folder/sub/file.bin"):
            assert rs_backend.to_key(rs_backend.native_path(key)) == key

    @rule(None)
    def test_resolve_returns_a_plan_matching_native_path(self, rs_store: Store) -> None:
        plan = rs_store.resolve("folder/file.txt")
        assert isinstance(plan, ResolutionPlan)
        assert plan.kind
        assert plan.backend
        assert plan.native_path == rs_store.native_path("folder/file.txt")
        assert dict(plan.details) == dict(plan.details.items())

    @rule(None)
    def test_check_health_returns_none_or_raises_a_typed_error(self, rs_store: Store) -> None:
        error: RemoteStoreError | None = None
        try:
            rs_store.ping()
        except RemoteStoreError as exc:
            error = exc
        assert error is None or str(error), "a health error must say what is wrong"
