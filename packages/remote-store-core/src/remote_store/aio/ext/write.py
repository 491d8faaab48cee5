"""Client-side digests on async writes: ``write_with_hash``."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from remote_store._models import ContentDigest, WriteResult
from remote_store.aio._content import AsyncStoreContent, aiter_content, check_async_content
from remote_store.aio._store import AsyncStore
from remote_store.errors import InvalidArgument

__all__ = ["write_with_hash"]


async def write_with_hash(
    store: AsyncStore,
    path: str,
    content: AsyncStoreContent,
    *,
    algorithm: str = "sha256",
    overwrite: bool = False,
    metadata: Mapping[str, str] | None = None,
) -> WriteResult:
    """Write ``content`` while hashing it; the result's ``digest`` is the client's hash.

    The content streams through the hash (never held whole), whatever the backend
    reports about digests.
    """
    try:
        hasher = hashlib.new(algorithm)
    except (ValueError, TypeError) as exc:
        raise InvalidArgument(f"unknown hash algorithm {algorithm!r}") from exc
    check_async_content(content)
    result = await store.write(
        path, _hashed(content, hasher), overwrite=overwrite, metadata=metadata
    )
    digest = ContentDigest(hasher.name, hasher.hexdigest())
    return dataclasses.replace(result, digest=digest)


async def _hashed(content: AsyncStoreContent, hasher: Any) -> AsyncIterator[bytes]:
    async for chunk in aiter_content(content):
        hasher.update(chunk)
        yield chunk
