"""Uploads on the Blob API: one Put Blob for small content, staged blocks for streams;
and the opt-in check of a write's ancestors.

Blocks are staged under ids unique to the upload and become visible only with the final
Put Block List, so a source that fails, or a task that is cancelled, leaves no partial
blob (the service discards uncommitted blocks). Memory stays within about
``block_size * (concurrency + 1)`` whatever the size of the content.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from azure.core import MatchConditions
from azure.storage.blob import BlobBlock, ContentSettings
from azure.storage.blob.aio import BlobClient
from remote_store.backend import ContentDigest, WriteResult
from remote_store.errors import InvalidPath, RemoteStoreError

if TYPE_CHECKING:
    from remote_store_azure._async_backend import AsyncAzureBackend

__all__ = ["UploadOutcome", "check_ancestors", "upload"]


class UploadOutcome:
    """What an upload produced: the service's response headers, size and MD5."""

    def __init__(self, response: Mapping[str, Any], size: int, md5_hex: str) -> None:
        self.response = response
        self.size = size
        self.md5_hex = md5_hex

    def write_result(self, path: str, metadata: Mapping[str, str] | None) -> WriteResult:
        """The write's result, from the service's response."""
        return WriteResult(
            path=path,
            size=self.size,
            source="native",
            digest=ContentDigest("md5", self.md5_hex),
            etag=self.response.get("etag"),
            version_id=self.response.get("version_id"),
            last_modified=self.response.get("last_modified"),
            metadata=dict(metadata) if metadata else None,
        )


def _conditions(overwrite: bool, etag: str | None) -> dict[str, Any]:
    if etag is not None:
        return {"etag": etag, "match_condition": MatchConditions.IfNotModified}
    if not overwrite:
        return {"match_condition": MatchConditions.IfMissing}
    return {}


async def _chunks_of(content: bytes | AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
    if isinstance(content, bytes):
        view = memoryview(content)
        for start in range(0, len(view), size):
            yield bytes(view[start : start + size])
        return
    async for chunk in content:
        if chunk:
            yield chunk


async def upload(
    blob: BlobClient,
    content: bytes | AsyncIterator[bytes],
    *,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
    block_size: int,
    concurrency: int = 1,
    etag: str | None = None,
) -> UploadOutcome:
    """Write ``content`` to ``blob``: create-only unless ``overwrite``; with ``etag`` only
    while the blob still has that etag. Raises the SDK's errors (409/412 on conflict)."""
    md5 = hashlib.md5(usedforsecurity=False)
    conditions = _conditions(overwrite, etag)
    meta = dict(metadata) if metadata else None
    if isinstance(content, bytes) and len(content) <= block_size:
        md5.update(content)
        response = await blob.upload_blob(
            content,
            length=len(content),
            overwrite=overwrite or etag is not None,
            metadata=meta,
            content_settings=ContentSettings(content_md5=bytearray(md5.digest())),
            **conditions,
        )
        return UploadOutcome(response, len(content), md5.hexdigest())

    stager = _Stager(blob, concurrency)
    buffer = bytearray()
    size = 0
    try:
        async for chunk in _chunks_of(content, block_size):
            md5.update(chunk)
            size += len(chunk)
            buffer += chunk
            while len(buffer) >= block_size:
                with memoryview(buffer) as view:
                    block = bytes(view[:block_size])
                del buffer[:block_size]
                await stager.stage(block)
        if not stager.ids:  # everything fitted in one block: one Put Blob
            data = bytes(buffer)
            response = await blob.upload_blob(
                data,
                length=len(data),
                overwrite=overwrite or etag is not None,
                metadata=meta,
                content_settings=ContentSettings(content_md5=bytearray(md5.digest())),
                **conditions,
            )
            return UploadOutcome(response, size, md5.hexdigest())
        if buffer:
            await stager.stage(bytes(buffer))
            buffer = bytearray()
        await stager.finish()
    except BaseException:
        await stager.abandon()
        raise
    response = await blob.commit_block_list(
        [BlobBlock(block_id=block_id) for block_id in stager.ids],
        metadata=meta,
        content_settings=ContentSettings(content_md5=bytearray(md5.digest())),
        **conditions,
    )
    return UploadOutcome(response, size, md5.hexdigest())


async def check_ancestors(backend: AsyncAzureBackend, path: str) -> None:
    """``reject_write_under_file_ancestor``: refuse a write below a file or onto a folder
    (not atomic with the write)."""
    parts = path.split("/")
    for depth in range(1, len(parts)):
        ancestor = "/".join(parts[:depth])
        try:
            if await backend.is_file(ancestor):
                raise InvalidPath("an ancestor is a file", path=path, backend=backend.name)
        except RemoteStoreError as exc:
            if not exc.retryable:
                raise  # a transient probe failure fails open, as in 0.27
    if await backend.is_folder(path):
        raise InvalidPath("a folder has this name", path=path, backend=backend.name)


class _Stager:
    """Stages blocks in order with at most ``concurrency`` requests in flight."""

    def __init__(self, blob: BlobClient, concurrency: int) -> None:
        self._blob = blob
        self._limit = max(1, concurrency)
        self._prefix = uuid.uuid4().hex
        self._pending: set[asyncio.Task[Any]] = set()
        self.ids: list[str] = []

    async def stage(self, block: bytes) -> None:
        name = f"{self._prefix}-{len(self.ids):08d}".encode()
        block_id = base64.b64encode(name).decode()
        self.ids.append(block_id)
        if self._limit == 1:
            await self._blob.stage_block(block_id, block, length=len(block))
            return
        task = asyncio.ensure_future(self._blob.stage_block(block_id, block, length=len(block)))
        self._pending.add(task)
        while len(self._pending) >= self._limit:
            done, self._pending = await asyncio.wait(
                self._pending, return_when=asyncio.FIRST_COMPLETED
            )
            for finished in done:
                finished.result()

    async def finish(self) -> None:
        while self._pending:
            done, self._pending = await asyncio.wait(self._pending)
            for finished in done:
                finished.result()

    async def abandon(self) -> None:
        for task in self._pending:
            task.cancel()
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        self._pending = set()
