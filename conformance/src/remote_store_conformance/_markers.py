"""Markers that tie each conformance test to the capability it certifies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from remote_store import Capability

__all__ = ["CONTRACT", "REFUSAL_MARK", "RULE_MARK", "refusal", "rule"]

F = TypeVar("F", bound=Callable[..., Any])

#: Marker name of a rule: ``rs_rule(capability, needs=(...))``.
RULE_MARK = "rs_rule"
#: Marker name of a refusal check: ``rs_refusal(capability)``.
REFUSAL_MARK = "rs_refusal"
#: Area name of rules that need no capability (identity, queries, health).
CONTRACT = "contract"


def rule(capability: Capability | None, *needs: Capability) -> pytest.MarkDecorator:
    """Mark a test as a rule of ``capability`` (``None``: the ungated contract).

    The test runs only when the backend declares ``capability`` and every one of
    ``needs``; its outcome counts towards ``capability`` alone.
    """
    mark: pytest.MarkDecorator = getattr(pytest.mark, RULE_MARK)(capability, needs=tuple(needs))
    return mark


def refusal(capability: Capability) -> pytest.MarkDecorator:
    """Mark a test that checks an *undeclared* ``capability`` is refused before any I/O."""
    mark: pytest.MarkDecorator = getattr(pytest.mark, REFUSAL_MARK)(capability)
    return mark


def register_markers(config: pytest.Config) -> None:
    """Declare the kit's markers (the repo runs with ``--strict-markers``)."""
    config.addinivalue_line(
        "markers", f"{RULE_MARK}(capability, needs=()): a conformance rule of a capability"
    )
    config.addinivalue_line(
        "markers", f"{REFUSAL_MARK}(capability): an undeclared capability must be refused"
    )
    config.addinivalue_line(
        "markers", "slow: takes more than a few seconds (the kit's stateful rule is one)"
    )
