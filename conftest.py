"""Repository-wide pytest settings for ``./dev test`` (the isolation matrix runs each
distribution from its own folder and does not load this file)."""

from __future__ import annotations

import os

import pytest


def _scope(item: pytest.Item) -> str:
    """The unit ``--dist loadscope`` hands to one worker: the module, or the class in it."""
    return item.nodeid.rsplit("::", 1)[0]


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Slow tests first (a stable sort: the order within each group is kept).

    In an xdist worker the order is by scope, each scope kept together: scopes made mostly
    of slow tests first (the whole-kit certification runs, minutes each), then the others
    largest first. ``./dev test`` passes ``--no-loadscope-reorder`` so xdist keeps this
    order; its own reordering (largest scope first) put the one-test slow scopes last,
    where they formed the run's tail.
    """
    if not hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
        return
    scopes: dict[str, list[pytest.Item]] = {}
    for item in items:
        scopes.setdefault(_scope(item), []).append(item)
    items[:] = [item for group in sorted(scopes.values(), key=_priority) for item in group]


def _priority(group: list[pytest.Item]) -> tuple[float, int]:
    """Scopes made mostly of slow tests first (a whole-kit run is one slow test in a module
    of its own), then the others largest first."""
    slow = sum(1 for item in group if item.get_closest_marker("slow"))
    return (-slow / len(group), -len(group))


def pytest_configure(config: pytest.Config) -> None:
    """Coverage's subprocess patch is for the xdist workers of ``./dev test``; the processes
    the tests start themselves (fresh interpreters measuring imports, one-command kit runs,
    CLI runs) must run as a user's would, unmeasured."""
    spawns_workers = bool(getattr(config.option, "numprocesses", None)) and not hasattr(
        config, "workerinput"
    )
    if not spawns_workers:
        os.environ.pop("COVERAGE_PROCESS_CONFIG", None)
