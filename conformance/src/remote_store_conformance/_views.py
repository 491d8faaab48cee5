"""A backend seen with fewer capabilities, so the Store takes its emulated paths."""

from __future__ import annotations

from typing import Any, cast

from remote_store import Backend, Capability, CapabilitySet, Store

__all__ = ["WithoutCapabilities", "store_without"]


class WithoutCapabilities:
    """Wraps a backend and hides ``hidden`` from its declared capabilities.

    The backend itself is unchanged: only the Store sees less, and so emulates what it
    would otherwise leave to the backend (for example the existence check standing in
    for ``EXCLUSIVE_CREATE``).
    """

    def __init__(self, inner: Backend, hidden: frozenset[Capability]) -> None:
        self._inner = inner
        self._capabilities = CapabilitySet(inner.capabilities - hidden)

    @property
    def name(self) -> str:
        """The wrapped backend's name."""
        return self._inner.name

    @property
    def capabilities(self) -> CapabilitySet:
        """The wrapped backend's capabilities minus the hidden ones."""
        return self._capabilities

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._inner, attr)


def store_without(backend: Backend, *hidden: Capability) -> Store:
    """A Store over ``backend`` that does not see ``hidden`` (the backend stays open)."""
    view = WithoutCapabilities(backend, frozenset(hidden))
    return Store(cast(Backend, view), _owns=False)
