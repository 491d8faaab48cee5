"""What the run found out, per certified test class."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest
from remote_store import Backend, Capability, FolderSemantics

from remote_store_conformance._waivers import Waivers

__all__ = ["ClassRecord", "Outcome", "Recorder", "recorder_of"]

Outcome = Literal["passed", "failed", "skipped", "waived"]


@dataclass
class RuleResult:
    """The outcome of one test of the suite."""

    name: str
    capability: Capability | None
    refusal: bool
    outcome: Outcome
    reason: str = ""


@dataclass
class ClassRecord:
    """Everything known about one certified class: its backend and its results."""

    key: str
    backend_type: str | None
    backend_class: type | None = None
    backend_name: str | None = None
    declared: frozenset[Capability] | None = None
    folder_semantics: FolderSemantics | None = None
    in_process_storage: bool | None = None
    results: dict[str, RuleResult] = field(default_factory=dict)
    #: What the folder rules observed (name -> value), shown beside the declaration.
    probes: dict[str, object] = field(default_factory=dict)


@dataclass
class Recorder:
    """Collects per-class records for the certificates."""

    waivers: Waivers = field(default_factory=Waivers)
    classes: dict[str, ClassRecord] = field(default_factory=dict)

    def record_for(self, key: str, backend_type: str | None) -> ClassRecord:
        """The record of the class ``key`` (created on first use)."""
        if key not in self.classes:
            self.classes[key] = ClassRecord(key, backend_type)
        record = self.classes[key]
        if record.backend_type is None:
            record.backend_type = backend_type
        return record

    def note_backend(self, key: str, backend_type: str | None, backend: Backend) -> None:
        """Remember what the class's backend is and declares."""
        record = self.record_for(key, backend_type)
        if record.declared is None:
            record.backend_class = type(backend)
            record.backend_name = backend.name
            record.declared = frozenset(backend.capabilities)
            record.folder_semantics = backend.folder_semantics
            record.in_process_storage = backend.in_process_storage


_KEY = pytest.StashKey[Recorder]()


def recorder_of(config: pytest.Config) -> Recorder:
    """The run's recorder (created on first use)."""
    if _KEY not in config.stash:
        config.stash[_KEY] = Recorder()
    return config.stash[_KEY]
