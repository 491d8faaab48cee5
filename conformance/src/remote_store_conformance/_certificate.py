"""Certificates: per-capability verdicts built from the recorded results."""

from __future__ import annotations

import importlib.metadata as md
from typing import Any

from remote_store import Capability
from remote_store.discovery import BACKEND_GROUP, Provider, providers

from remote_store_conformance._recorder import ClassRecord, RuleResult
from remote_store_conformance._waivers import Waivers

__all__ = ["build_certificate", "capability_verdicts"]

PASS, FAIL, WAIVED = "pass", "fail", "waived"
REFUSED, REFUSAL_FAILED = "refused-as-undeclared", "refusal-failed"
NOT_RUN = "not-run"


def capability_verdicts(record: ClassRecord, waivers: Waivers) -> dict[str, str]:
    """One verdict per :class:`Capability`.

    ``not-run`` when none of its rules ran (all skipped). Declared: ``fail`` if a rule
    failed, ``waived`` if waived as a whole, else ``pass``. Undeclared:
    ``refused-as-undeclared`` when its refusal checks passed, else ``refusal-failed``.
    """
    verdicts: dict[str, str] = {}
    declared = record.declared or frozenset()
    for capability in Capability:
        if waivers.for_capability(capability) is not None:
            verdicts[capability.value] = WAIVED
            continue
        is_declared = capability in declared
        mine = [
            r
            for r in record.results.values()
            if r.capability is capability and r.refusal is not is_declared
        ]
        verdicts[capability.value] = _verdict(mine, is_declared)
    return verdicts


def _verdict(results: list[RuleResult], declared: bool) -> str:
    failed = any(r.outcome == "failed" for r in results)
    passed = any(r.outcome == "passed" for r in results)
    if not (passed or failed):
        return NOT_RUN
    if declared:
        return PASS if passed and not failed else FAIL
    return REFUSED if passed and not failed else REFUSAL_FAILED


def _distribution(record: ClassRecord) -> tuple[str | None, str | None]:
    """The distribution and version providing the backend class, when known."""
    cls = record.backend_class
    if cls is None:
        return None, None
    target = f"{cls.__module__}:{cls.__qualname__}"
    type_names = {record.backend_type, record.backend_name}
    for name, items in providers(BACKEND_GROUP).items():
        for provider in items:
            if provider.value == target or (name in type_names and _loads(provider) is cls):
                return provider.distribution, provider.version
    names = md.packages_distributions().get(cls.__module__.partition(".")[0], [])
    if not names:
        return None, None
    try:
        return names[0], md.version(names[0])
    except md.PackageNotFoundError:
        return names[0], None


def _loads(provider: Provider) -> object:
    try:
        return provider.load()
    except Exception:  # a broken plugin must not break the certificate
        return None


def build_certificate(record: ClassRecord, waivers: Waivers, kit_version: str) -> dict[str, Any]:
    """The JSON-ready certificate of one certified class."""
    results = list(record.results.values())
    summary = {
        outcome: sum(1 for r in results if r.outcome == outcome)
        for outcome in ("passed", "failed", "skipped", "waived")
    }
    contract = [r for r in results if r.capability is None]
    distribution, version = _distribution(record)
    verdicts = capability_verdicts(record, waivers)
    contract_verdict = _verdict(contract, declared=True)
    contract_ok = contract_verdict == PASS
    return {
        "backend": record.backend_type or record.backend_name,
        "backend_class": (
            f"{record.backend_class.__module__}.{record.backend_class.__qualname__}"
            if record.backend_class
            else None
        ),
        "distribution": distribution,
        "version": version,
        "kit_version": kit_version,
        "test_class": record.key,
        "certified": contract_ok and all(v in (PASS, REFUSED, WAIVED) for v in verdicts.values()),
        "declared": sorted(c.value for c in record.declared or ()),
        "folder_semantics": _semantics(record),
        "in_process_storage": record.in_process_storage,
        "summary": summary,
        "contract": contract_verdict,
        "capabilities": verdicts,
        "waivers": [w for w in waivers.as_list() if _applies(w["target"], results)],
        "failures": sorted(r.name for r in results if r.outcome == "failed"),
    }


def _semantics(record: ClassRecord) -> dict[str, Any] | None:
    """The declared folder semantics and what the folder rules observed."""
    declared = record.folder_semantics
    if declared is None:
        return None
    return {
        "keeps_empty_folders": declared.keeps_empty_folders,
        "rejects_file_ancestors": declared.rejects_file_ancestors,
        "probes": dict(sorted(record.probes.items())),
    }


def _applies(target: str, results: list[RuleResult]) -> bool:
    if target in {c.value for c in Capability}:
        return True
    return any(r.name == target or r.name.partition("[")[0] == target for r in results)
