"""How many stores are open: the SDK log masking of ``_secret`` applies while one is.

Kept apart (and free of ``logging``/``threading``) so that creating a store does not load
the secrets module. ``list.append``/``list.pop`` are atomic, so no lock is needed.
"""

from __future__ import annotations

import weakref

__all__ = ["count", "opened"]

_open: list[None] = []


def opened(store: object) -> weakref.finalize:  # type: ignore[type-arg]
    """Count ``store`` as open; the returned finalizer (called on close, or when the
    store is collected) counts it closed, once."""
    _open.append(None)
    return weakref.finalize(store, _closed)


def _closed() -> None:
    try:
        _open.pop()
    except IndexError:  # pragma: no cover - more closes than opens cannot happen
        pass


def count() -> int:
    """The number of open stores."""
    return len(_open)
