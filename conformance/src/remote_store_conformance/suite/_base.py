"""Fixtures and switches every rule of the suite builds on."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

import pytest
from remote_store import Backend, Capability, Store
from remote_store.errors import RemoteStoreError

from remote_store_conformance._helpers import empty_backend, write_files
from remote_store_conformance._markers import REFUSAL_MARK, RULE_MARK
from remote_store_conformance._recorder import recorder_of

__all__ = ["CHARGED_TO", "ConformanceBase", "FolderSemantics", "class_key"]

BackendFactory = Callable[[], Backend]
SeededFactory = Callable[[Mapping[str, bytes]], Backend]
Seed = Callable[[Mapping[str, bytes]], Store]

WAIVED = pytest.StashKey[str]()
#: The capability a failing rule is charged to, when not its marker's (the stateful test
#: charges the operation of the step that failed).
CHARGED_TO = pytest.StashKey[Capability]()
_SEMANTICS = pytest.StashKey[dict[str, "FolderSemantics"]]()


@dataclass(frozen=True)
class FolderSemantics:
    """How the backend treats folders.

    ``keeps_empty``: a folder outlives its last file (local, memory, SFTP); flat stores
    such as S3 have a folder only while a key lies below it. ``rejects_file_ancestors``:
    writing ``a/b`` while ``a`` is a file raises ``InvalidPath``.
    """

    keeps_empty: bool
    rejects_file_ancestors: bool


def class_key(node: pytest.Item) -> str:
    """The id of the test class an item belongs to (one certificate per class)."""
    return node.nodeid.rsplit("::", 1)[0]


class ConformanceBase:
    """Fixtures of the suite; subclasses supply ``rs_backend_factory``."""

    #: The backend's type name for the certificate (default: the backend's ``name``).
    backend_type: ClassVar[str | None] = None
    #: Whether empty folders persist; ``None`` detects it by behaviour.
    rs_keeps_empty_folders: ClassVar[bool | None] = None
    #: Whether a write below a file raises InvalidPath; ``None`` follows the folder kind.
    rs_rejects_file_ancestors: ClassVar[bool | None] = None
    #: The backend keeps its data in this process's memory (the bounded-memory rules skip).
    rs_in_process_storage: ClassVar[bool] = False
    #: Secret strings (passwords, keys) that must never appear in the backend's repr.
    rs_secrets: ClassVar[tuple[str, ...]] = ()
    #: Threads racing in the create-exclusive rule.
    rs_race_writers: ClassVar[int] = 8
    #: Size of the file of the bounded-memory rules.
    rs_large_file_size: ClassVar[int] = 64 * 1024 * 1024

    @pytest.fixture
    def rs_backend(
        self, rs_backend_factory: BackendFactory, request: pytest.FixtureRequest
    ) -> Iterator[Backend]:
        """A fresh, empty backend from the author's factory, closed afterwards."""
        backend = rs_backend_factory()
        node = request.node
        recorder_of(request.config).note_backend(class_key(node), self._type_name(), backend)
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
            try:
                if request.config.getoption("rs_conformance", None) is not None:
                    empty_backend(backend)  # a command-line target may be shared between tests
            finally:
                backend.close()

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
    def rs_folders(
        self, rs_backend_factory: BackendFactory, request: pytest.FixtureRequest
    ) -> FolderSemantics:
        """The backend's folder semantics: declared on the class, else probed once."""
        cache = request.config.stash.setdefault(_SEMANTICS, {})
        key = class_key(request.node)
        if key not in cache:
            keeps = self.rs_keeps_empty_folders
            if keeps is None:
                keeps = _probe_keeps_empty_folders(rs_backend_factory)
            rejects = self.rs_rejects_file_ancestors
            cache[key] = FolderSemantics(keeps, keeps if rejects is None else rejects)
        return cache[key]

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


def _probe_keeps_empty_folders(factory: BackendFactory) -> bool:
    """Write and delete ``probe/x``: does the folder ``probe`` survive?"""
    backend = factory()
    try:
        caps = backend.capabilities
        if Capability.WRITE not in caps or Capability.DELETE not in caps:
            return False
        store = Store(backend, _owns=False)
        store.write("rs-probe/x", b"")
        store.delete("rs-probe/x")
        kept = store.is_folder("rs-probe")
        if kept:
            store.delete_folder("rs-probe", missing_ok=True)
        return kept
    except RemoteStoreError:
        return False
    finally:
        backend.close()
