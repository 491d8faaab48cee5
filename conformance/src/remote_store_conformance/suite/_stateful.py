"""A Hypothesis state machine comparing the backend, through a Store, with a model.

The model is a dict of files plus a set of folders. Folder names (``d1``, ``d2``) and
file names (``f1``...) never collide, so every backend agrees on which operations are
legal; only the life of empty folders differs, and :class:`FolderSemantics` says which.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from remote_store import Backend, Capability, Store
from remote_store.errors import AlreadyExists, DirectoryNotEmpty, NotFound

from remote_store_conformance._helpers import empty_backend
from remote_store_conformance._markers import rule as conformance_rule
from remote_store_conformance.suite._base import CHARGED_TO, FolderSemantics, Settings

__all__ = ["StatefulRules", "machine_for"]

FOLDERS = st.lists(st.sampled_from(["d1", "d2"]), min_size=0, max_size=2).map("/".join)
FILES = st.builds(
    lambda folder, name: f"{folder}/{name}" if folder else name,
    FOLDERS,
    st.sampled_from(["f1", "f2", "f3"]),
)
DATA = st.binary(max_size=64)


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def machine_for(
    factory: Callable[[], Backend], keeps_empty: bool, step: list[Capability] | None = None
) -> type[RuleBasedStateMachine]:
    """A state machine class over fresh backends from ``factory``.

    ``step`` (when given) holds the capability of the operation running now, so a failure
    is charged to the operation that failed.
    """
    current = step if step is not None else [Capability.WRITE]

    def doing(capability: Capability) -> None:
        current[:] = [capability]

    class StoreVersusModel(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.backend = factory()
            self.store = Store(self.backend, _owns=False)
            self.files: dict[str, bytes] = {}
            self.kept: set[str] = set()  # empty folders that outlive their files

        def teardown(self) -> None:
            try:
                empty_backend(self.backend)
            finally:
                self.backend.close()

        # -- the model ----------------------------------------------------------------

        def folders(self) -> set[str]:
            found = {p for path in self.files for p in _parents(path)}
            return found | self.kept if keeps_empty else found

        def _add(self, path: str, data: bytes) -> None:
            self.files[path] = data
            if keeps_empty:
                self.kept.update(_parents(path))

        # -- operations ---------------------------------------------------------------

        @rule(path=FILES, data=DATA, overwrite=st.booleans())
        def write(self, path: str, data: bytes, overwrite: bool) -> None:
            doing(Capability.WRITE)
            if path in self.files and not overwrite:
                with pytest.raises(AlreadyExists):
                    self.store.write(path, data, overwrite=overwrite)
                return
            self.store.write(path, data, overwrite=overwrite)
            self._add(path, data)

        @rule(path=FILES)
        def read(self, path: str) -> None:
            doing(Capability.READ)
            if path in self.files:
                assert self.store.read_bytes(path) == self.files[path]
            else:
                with pytest.raises(NotFound):
                    self.store.read_bytes(path)

        @rule(path=FILES)
        def delete(self, path: str) -> None:
            doing(Capability.DELETE)
            if path in self.files:
                self.store.delete(path)
                del self.files[path]
            else:
                with pytest.raises(NotFound):
                    self.store.delete(path)

        @rule(folder=FOLDERS.filter(bool), recursive=st.booleans())
        def delete_folder(self, folder: str, recursive: bool) -> None:
            doing(Capability.DELETE)
            below = [p for p in self.files if p.startswith(folder + "/")]
            sub = [f for f in self.folders() if f.startswith(folder + "/")]
            if folder not in self.folders():
                with pytest.raises(NotFound):
                    self.store.delete_folder(folder, recursive=recursive)
            elif (below or sub) and not recursive:
                with pytest.raises(DirectoryNotEmpty):
                    self.store.delete_folder(folder, recursive=recursive)
            else:
                self.store.delete_folder(folder, recursive=recursive)
                for path in below:
                    del self.files[path]
                self.kept = {f for f in self.kept if f != folder and not f.startswith(folder + "/")}

        @rule(src=FILES, dst=FILES, overwrite=st.booleans(), keep=st.booleans())
        def move_or_copy(self, src: str, dst: str, overwrite: bool, keep: bool) -> None:
            doing(Capability.COPY if keep else Capability.MOVE)
            op = self.store.copy if keep else self.store.move
            if src not in self.files:
                with pytest.raises(NotFound):
                    op(src, dst, overwrite=overwrite)
            elif src == dst:
                op(src, dst, overwrite=overwrite)
            elif dst in self.files and not overwrite:
                with pytest.raises(AlreadyExists):
                    op(src, dst, overwrite=overwrite)
            else:
                op(src, dst, overwrite=overwrite)
                data = self.files[src] if keep else self.files.pop(src)
                self._add(dst, data)

        @rule(folder=FOLDERS, recursive=st.booleans())
        def list_files(self, folder: str, recursive: bool) -> None:
            doing(Capability.LIST)
            prefix = folder + "/" if folder else ""
            expected = sorted(
                p
                for p in self.files
                if p.startswith(prefix) and (recursive or "/" not in p[len(prefix) :])
            )
            listed = [str(i.path) for i in self.store.list_files(folder, recursive=recursive)]
            assert listed == expected

        @rule(folder=FOLDERS)
        def list_folders(self, folder: str) -> None:
            doing(Capability.LIST)
            prefix = folder + "/" if folder else ""
            expected = sorted(
                f for f in self.folders() if f.startswith(prefix) and "/" not in f[len(prefix) :]
            )
            assert [str(e.path) for e in self.store.list_folders(folder)] == expected

        @invariant()
        def every_file_reads_back(self) -> None:
            doing(Capability.LIST)
            listed = [str(i.path) for i in self.store.list_files("", recursive=True)]
            assert listed == sorted(self.files)

    return StoreVersusModel


NEEDED = (Capability.READ, Capability.DELETE, Capability.LIST, Capability.MOVE, Capability.COPY)


class StatefulRules:
    """Random operation sequences agree with the dict-plus-folders model."""

    #: Hypothesis budget of the state machine (examples x steps); also
    #: ``--rs-stateful-examples`` and ``--rs-stateful-steps``.
    rs_stateful_examples = 30
    rs_stateful_steps = 20
    #: Shrink a failing sequence to a minimal one (clearer, but can take a minute);
    #: also ``--rs-shrink``.
    rs_stateful_shrink = False

    @pytest.mark.slow  # 45-120 s against a server; `-m "not slow"` leaves it out
    @conformance_rule(Capability.WRITE, *NEEDED)
    def test_random_operations_match_the_model(
        self,
        rs_backend_factory: Callable[[], Backend],
        rs_folders: FolderSemantics,
        rs_settings: Settings,
        request: pytest.FixtureRequest,
    ) -> None:
        step: list[Capability] = [Capability.WRITE]
        machine = machine_for(rs_backend_factory, rs_folders.keeps_empty_folders, step)
        try:
            self._run_machine(machine, rs_settings)
        except BaseException:
            request.node.stash[CHARGED_TO] = step[0]
            raise

    def _run_machine(self, machine: type[RuleBasedStateMachine], config: Settings) -> None:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=config.stateful_examples,
                stateful_step_count=config.stateful_steps,
                deadline=None,
                database=None,
                phases=[p for p in Phase if p is not Phase.shrink or config.shrink],
                suppress_health_check=list(HealthCheck),
            ),
        )
