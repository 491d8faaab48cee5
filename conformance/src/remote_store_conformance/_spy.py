"""A backend wrapper that records every call, to prove a refusal did no I/O."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from remote_store import Backend, CapabilitySet

__all__ = ["IOSpy"]

# What a Store may read from its backend without that counting as I/O.
_FREE = frozenset({"name", "capabilities", "CAPABILITIES", "map_error"})


class IOSpy:
    """Wraps a backend; :attr:`calls` lists the names of every method called through it."""

    def __init__(self, inner: Backend) -> None:
        self._inner = inner
        self.calls: list[str] = []

    @property
    def name(self) -> str:
        """The wrapped backend's name."""
        return self._inner.name

    @property
    def capabilities(self) -> CapabilitySet:
        """The wrapped backend's capabilities."""
        return self._inner.capabilities

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._inner, attr)
        if attr in _FREE or not callable(value):
            return value
        return self._recording(attr, value)

    def _recording(self, attr: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(attr)
            return method(*args, **kwargs)

        return call
