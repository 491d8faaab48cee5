"""Errors specific to crossing between sync and async code."""

from __future__ import annotations

from remote_store.errors import InvalidArgument

__all__ = ["RunningEventLoopError"]


class RunningEventLoopError(InvalidArgument, RuntimeError):
    """A blocking sync bridge was called from a thread that runs an event loop.

    Blocking there would freeze (or deadlock) that loop; use :class:`AsyncStore` from
    async code instead. Also a ``RuntimeError``, like asyncio's own refusal.
    """
