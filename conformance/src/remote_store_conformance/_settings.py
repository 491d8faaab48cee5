"""The knobs of a certification run: class attributes, each also a command-line option."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

__all__ = ["Settings", "add_setting_options", "parse_size", "settings_for"]

_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


@dataclass(frozen=True)
class Settings:
    """What the rules read instead of the class attributes directly."""

    secrets: tuple[str, ...]
    race_writers: int
    large_file_size: int
    stateful_examples: int
    stateful_steps: int
    shrink: bool


def parse_size(text: str) -> int:
    """``"8MiB"``, ``"512k"``, ``"1048576"`` as a byte count."""
    match = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)(?:i?[bB])?\s*", text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (examples: 8MiB, 512k, 1048576)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"expected a positive number, got {text!r}")
    return value


def add_setting_options(group: pytest.OptionGroup) -> None:
    """One option per class attribute an author can set (the option wins when given)."""
    group.addoption(
        "--rs-backend-type", default=None, metavar="NAME", help="type name for the certificate"
    )
    group.addoption(
        "--rs-secret",
        action="append",
        default=[],
        metavar="TEXT",
        help="a secret that must never appear in the backend's repr (repeatable)",
    )
    group.addoption(
        "--rs-race-writers", type=_positive, default=None, help="threads of the race rule"
    )
    group.addoption(
        "--rs-large-file-size",
        type=parse_size,
        default=None,
        metavar="SIZE",
        help="file size of the bounded-memory and atomicity rules (default 64MiB)",
    )
    group.addoption(
        "--rs-stateful-examples",
        type=_positive,
        default=None,
        help="sequences the stateful test runs (default 30)",
    )
    group.addoption(
        "--rs-stateful-steps",
        type=_positive,
        default=None,
        help="operations per stateful sequence (default 20)",
    )
    group.addoption(
        "--rs-shrink",
        action="store_true",
        default=None,
        help="shrink a failing stateful sequence to a minimal one (slower)",
    )


def settings_for(test: object, config: pytest.Config) -> Settings:
    """The settings of ``test``'s class, command-line options taking precedence."""

    def pick(option: str, attribute: str, default: object) -> object:
        value = config.getoption(option, None)
        return value if value is not None else getattr(test, attribute, default)

    return Settings(
        secrets=(*getattr(test, "rs_secrets", ()), *config.getoption("rs_secret", [])),
        race_writers=int(pick("rs_race_writers", "rs_race_writers", 8)),  # type: ignore[call-overload]
        large_file_size=int(pick("rs_large_file_size", "rs_large_file_size", 64 * 1024**2)),  # type: ignore[call-overload]
        stateful_examples=int(pick("rs_stateful_examples", "rs_stateful_examples", 30)),  # type: ignore[call-overload]
        stateful_steps=int(pick("rs_stateful_steps", "rs_stateful_steps", 20)),  # type: ignore[call-overload]
        shrink=bool(pick("rs_shrink", "rs_stateful_shrink", False)),
    )


def backend_type_option(config: pytest.Config) -> str | None:
    """``--rs-backend-type`` when given."""
    value = config.getoption("rs_backend_type", None)
    return str(value) if value else None
