"""Repository-wide pytest settings for ``./dev test`` (the isolation matrix runs each
distribution from its own folder and does not load this file)."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Slow tests first (a stable sort: the order within each group is kept), so that under
    xdist the whole-kit certification runs start early instead of forming the run's tail."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_configure(config: pytest.Config) -> None:
    """Coverage's subprocess patch is for the xdist workers of ``./dev test``; the processes
    the tests start themselves (fresh interpreters measuring imports, one-command kit runs,
    CLI runs) must run as a user's would, unmeasured."""
    spawns_workers = bool(getattr(config.option, "numprocesses", None)) and not hasattr(
        config, "workerinput"
    )
    if not spawns_workers:
        os.environ.pop("COVERAGE_PROCESS_CONFIG", None)
