"""Hash objects by algorithm name, with a typed error for an unknown name."""

from __future__ import annotations

import hashlib
from typing import Any

from remote_store.errors import InvalidArgument

__all__ = ["new_hash"]


def new_hash(algorithm: str) -> Any:
    """A fresh ``hashlib`` object; an unknown ``algorithm`` raises ``InvalidArgument``."""
    if not isinstance(algorithm, str) or not algorithm:
        raise InvalidArgument("hash algorithm must be a non-empty str")
    name = algorithm.strip().lower()
    try:
        return hashlib.new(name)
    except (ValueError, TypeError):
        available = ", ".join(sorted(hashlib.algorithms_guaranteed))
        raise InvalidArgument(
            f"unknown hash algorithm {algorithm!r}; available: {available}"
        ) from None


def hexdigest_of(hasher: Any) -> str:
    """The hex digest; variable-length algorithms (shake) give 32 bytes."""
    if hasher.name.startswith("shake"):
        return str(hasher.hexdigest(32))
    return str(hasher.hexdigest())
