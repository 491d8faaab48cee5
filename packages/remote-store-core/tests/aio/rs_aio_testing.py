"""Helpers shared by the async tests (imported by name; conftest puts this folder on sys.path)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: Upper bound for one test's event loop: a deadlock fails the test instead of hanging it.
DEADLOCK_TIMEOUT = 60.0


def run(coro: Coroutine[Any, Any, T], timeout: float = DEADLOCK_TIMEOUT) -> T:
    """Run ``coro`` on a fresh loop, failing (not hanging) if it never finishes."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def chunks_of(*parts: bytes | bytearray) -> AsyncIterator[bytes]:
    """An async iterator over ``parts``."""
    for part in parts:
        await asyncio.sleep(0)
        yield part  # type: ignore[misc]
