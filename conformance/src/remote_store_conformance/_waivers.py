"""Waivers: rules or capabilities an author excuses, always with a reason."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from remote_store import Capability

__all__ = ["Waivers", "parse_cli_waivers", "read_pyproject_waivers"]

_CAPABILITY_NAMES = {c.value: c for c in Capability} | {c.name.lower(): c for c in Capability}


@dataclass
class Waivers:
    """Waived targets (a rule's test name or a capability) and the reason for each."""

    reasons: dict[str, str] = field(default_factory=dict)

    def add(self, target: str, reason: str) -> None:
        """Waive ``target``; a waiver without a reason is refused."""
        target, reason = target.strip(), reason.strip()
        if not target or not reason:
            raise ValueError(f"a waiver needs a target and a reason, got {target!r}={reason!r}")
        capability = _CAPABILITY_NAMES.get(target.lower())
        self.reasons[capability.value if capability else target] = reason

    def for_test(self, test_name: str, capability: Capability | None) -> tuple[str, str] | None:
        """``(target, reason)`` when the test or its capability is waived."""
        base = test_name.partition("[")[0]
        for target in (test_name, base):
            if target in self.reasons:
                return target, self.reasons[target]
        if capability is not None and capability.value in self.reasons:
            return capability.value, self.reasons[capability.value]
        return None

    def for_capability(self, capability: Capability) -> str | None:
        """The reason ``capability`` is waived as a whole, if it is."""
        return self.reasons.get(capability.value)

    def as_list(self) -> list[dict[str, str]]:
        """The waivers as ``[{"target": ..., "reason": ...}]`` for the certificate."""
        return [{"target": t, "reason": r} for t, r in sorted(self.reasons.items())]


def parse_cli_waivers(values: Iterable[str], into: Waivers) -> None:
    """Add ``RULE_OR_CAPABILITY=REASON`` waivers from the command line."""
    for value in values:
        target, sep, reason = value.partition("=")
        if not sep:
            raise ValueError(f"--rs-waive expects RULE_OR_CAPABILITY=REASON, got {value!r}")
        into.add(target, reason)


def read_pyproject_waivers(pyproject: Path, into: Waivers) -> None:
    """Add the waivers of ``[tool.remote-store-conformance] waive = {...}``."""
    if not pyproject.is_file():
        return
    with pyproject.open("rb") as handle:
        data = tomllib.load(handle)
    table = data.get("tool", {}).get("remote-store-conformance", {})
    waive = table.get("waive", {})
    if not isinstance(waive, Mapping):
        raise ValueError("[tool.remote-store-conformance] waive must be a table of reasons")
    for target, reason in waive.items():
        into.add(str(target), str(reason))
