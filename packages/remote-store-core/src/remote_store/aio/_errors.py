"""Errors specific to crossing between sync and async code (defined in remote_store.errors)."""

from __future__ import annotations

from remote_store.errors import RunningEventLoopError

__all__ = ["RunningEventLoopError"]
