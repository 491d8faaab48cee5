"""Deleting every blob below a prefix with parallel requests (a flat account has no
recursive delete)."""

from __future__ import annotations

import asyncio
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

__all__ = ["DELETE_PARALLELISM", "delete_below"]

#: Parallel deletes of a recursive folder delete on a flat account.
DELETE_PARALLELISM = 16


async def delete_below(container: Any, prefix: str) -> None:
    """Delete every blob whose name starts with ``prefix`` (listed first, then deleted)."""
    names = [name async for name in container.list_blob_names(name_starts_with=prefix)]
    gate = asyncio.Semaphore(DELETE_PARALLELISM)

    async def remove(name: str) -> None:
        async with gate:
            try:
                await container.get_blob_client(name).delete_blob()
            except ResourceNotFoundError:
                pass  # gone already: the goal is reached

    await asyncio.gather(*(remove(name) for name in names))
