"""Fixtures and switches every rule of the suite builds on."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import ClassVar

import pytest
from remote_store import Backend, Capability, FolderSemantics, Store

from remote_store_conformance._helpers import empty_backend, write_files
from remote_store_conformance._markers import REFUSAL_MARK, RULE_MARK
from remote_store_conformance._recorder import recorder_of
from remote_store_conformance._settings import Settings, backend_type_option, settings_for

__all__ = ["CHARGED_TO", "ConformanceBase", "FolderSemantics", "Settings", "class_key"]

BackendFactory = Callable[[], Backend]
SeededFactory = Callable[[Mapping[str, bytes]], Backend]
Seed = Callable[[Mapping[str, bytes]], Store]

WAIVED = pytest.StashKey[str]()
#: The capability a failing rule is charged to, when not its marker's (the stateful test
#: charges the operation of the step that failed).
CHARGED_TO = pytest.StashKey[Capability]()
Probe = Callable[[str, object], None]


def class_key(node: pytest.Item) -> str:
    """The id of the test class an item belongs to (one certificate per class)."""
    return node.nodeid.rsplit("::", 1)[0]


class ConformanceBase:
    """Fixtures of the suite; subclasses supply ``rs_backend_factory``."""

    #: The backend's type name for the certificate (default: the backend's ``name``).
    backend_type: ClassVar[str | None] = None
    #: Secret strings (passwords, keys) that must never appear in the backend's repr
    #: (``--rs-secret``).
    rs_secrets: ClassVar[tuple[str, ...]] = ()
    #: Threads racing in the create-exclusive rule (``--rs-race-writers``).
    rs_race_writers: ClassVar[int] = 8
    #: Size of the file of the bounded-memory and atomicity rules (``--rs-large-file-size``).
    rs_large_file_size: ClassVar[int] = 64 * 1024 * 1024

    @pytest.fixture
    def rs_backend(
        self, rs_backend_factory: BackendFactory, request: pytest.FixtureRequest
    ) -> Iterator[Backend]:
        """A fresh, empty backend from the author's factory, closed afterwards."""
        backend = rs_backend_factory()
        node = request.node
        type_name = backend_type_option(request.config) or self._type_name()
        recorder_of(request.config).note_backend(class_key(node), type_name, backend)
        if Capability.LIST in backend.capabilities:
            leftovers = [str(e.path) for e in Store(backend, _owns=False).iter_children("")]
            if leftovers:
                backend.close()
                pytest.fail(
                    f"rs_backend_factory must return an empty backend; found {leftovers[:5]}"
                )
        try:
            yield backend
        finally:
            backend.close()
            if request.config.getoption("rs_conformance", None) is not None:
                # A command-line target may be shared between tests: empty it through a
                # fresh backend, since the test may have closed its own.
                cleaner = rs_backend_factory()
                try:
                    empty_backend(cleaner)
                finally:
                    cleaner.close()

    def _type_name(self) -> str | None:
        return self.backend_type

    @pytest.fixture
    def rs_store(self, rs_backend: Backend) -> Store:
        """A Store over the fresh backend (the fixture closes the backend, not the store)."""
        return Store(rs_backend, _owns=False)

    @pytest.fixture
    def rs_caps(self, rs_backend: Backend) -> frozenset[Capability]:
        """What the backend declares."""
        return frozenset(rs_backend.capabilities)

    @pytest.fixture
    def rs_seed(
        self,
        rs_backend: Backend,
        rs_seeded_backend_factory: SeededFactory | None,
    ) -> Iterator[Seed]:
        """``seed(files) -> Store`` seeing exactly ``files``: written through the fresh
        backend when it writes, else built by the author's ``rs_seeded_backend_factory``."""
        made: list[Backend] = []

        def seed(files: Mapping[str, bytes]) -> Store:
            if Capability.WRITE in rs_backend.capabilities:
                store = Store(rs_backend, _owns=False)
                write_files(store, files)
                return store
            if rs_seeded_backend_factory is None:
                pytest.skip(
                    "read-only backend: define the rs_seeded_backend_factory fixture "
                    "so the read rules can run"
                )
            backend = rs_seeded_backend_factory(files)
            made.append(backend)
            return Store(backend, _owns=False)

        yield seed
        for backend in made:
            backend.close()

    @pytest.fixture
    def rs_settings(self, request: pytest.FixtureRequest) -> Settings:
        """The class's settings, each overridden by its command-line option when given."""
        return settings_for(self, request.config)

    @pytest.fixture
    def rs_folders(self, rs_backend: Backend) -> FolderSemantics:
        """The folder semantics the backend declares (``Backend.folder_semantics``)."""
        declared = rs_backend.folder_semantics
        for switch in ("rs_keeps_empty_folders", "rs_rejects_file_ancestors"):
            if getattr(self, switch, None) is not None:
                pytest.fail(
                    f"{switch} is gone: the backend declares its folders "
                    f"(FOLDER_SEMANTICS / folder_semantics); it declares {declared}",
                    pytrace=False,
                )
        return declared

    @pytest.fixture
    def rs_probe(self, request: pytest.FixtureRequest) -> Probe:
        """``probe(name, observed)``: record what a rule observed, for the certificate."""
        record = recorder_of(request.config).record_for(class_key(request.node), None)
        return record.probes.__setitem__

    @pytest.fixture(autouse=True)
    def _rs_gate(self, request: pytest.FixtureRequest, rs_caps: frozenset[Capability]) -> None:
        """Skip rules whose capabilities are not declared, refusals of declared ones,
        and anything waived (recording the waiver)."""
        item = request.node
        rule = item.get_closest_marker(RULE_MARK)
        refusal = item.get_closest_marker(REFUSAL_MARK)
        capability: Capability | None = None
        if rule is not None:
            capability = rule.args[0]
        elif refusal is not None:
            capability = refusal.args[0]
        waiver = recorder_of(request.config).waivers.for_test(item.name, capability)
        if waiver is not None:
            item.stash[WAIVED] = waiver[1]
            pytest.skip(f"waived ({waiver[0]}): {waiver[1]}")
        if rule is not None:
            needed = [c for c in (capability, *rule.kwargs.get("needs", ())) if c is not None]
            missing = [c.value for c in needed if c not in rs_caps]
            if missing:
                pytest.skip(f"not declared: {', '.join(missing)}")
        if refusal is not None and capability in rs_caps:
            pytest.skip(f"{capability.value} is declared; its rules run instead")
