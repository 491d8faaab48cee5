"""The async write path and listings, on obstore's ``*_async`` API (see :mod:`._writes` and
:mod:`._listing` for the sync twins and the reasoning: the same rules apply)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from remote_store.aio.backend import (
    AlreadyExists,
    AsyncWritableContent,
    DirectoryNotEmpty,
    FileInfo,
    FolderEntry,
    InvalidPath,
    NotFound,
    WriteResult,
    parent_key,
)

from remote_store_obstore._convert import (
    attributes,
    children,
    file_info,
    within_depth,
    write_result,
)
from remote_store_obstore._listing import PAGE
from remote_store_obstore._writes import drain, is_native, single_limit

if TYPE_CHECKING:
    from remote_store_obstore._async_backend import AsyncObstoreBackend

__all__ = ["delete_folder", "delete_many", "list_children", "list_files", "metas", "write"]


async def metas(
    backend: AsyncObstoreBackend, path: str, page: int = PAGE
) -> AsyncIterator[dict[str, Any]]:
    """Every object below folder ``path``, page by page, in the service's key order."""
    import obstore

    try:
        async for batch in obstore.list(backend.store, path or None, chunk_size=page):
            for meta in batch:
                yield meta  # type: ignore[misc]
    except Exception as exc:
        backend._fail(exc, path)


async def first_key(backend: AsyncObstoreBackend, path: str) -> str | None:
    """One key below folder ``path``, ``None`` when there is none."""
    async for meta in metas(backend, path, page=1):
        return str(meta["path"])
    return None


async def list_children(backend: AsyncObstoreBackend, path: str) -> list[FileInfo | FolderEntry]:
    """Files and folders directly in ``path``, in listing order (one delimited listing)."""
    import obstore

    try:
        listing = await obstore.list_with_delimiter_async(backend.store, path or None)
    except Exception as exc:
        backend._fail(exc, path)
    return children(listing)


async def list_files(
    backend: AsyncObstoreBackend, path: str, recursive: bool, max_depth: int | None
) -> AsyncIterator[FileInfo]:
    """Recursive: streamed; one level: the files of one delimited listing."""
    if not (recursive if max_depth is None else max_depth > 0):
        for entry in await list_children(backend, path):
            if isinstance(entry, FileInfo):
                yield entry
        return
    skip = len(path) + 1 if path else 0
    async for meta in metas(backend, path):
        if within_depth(meta["path"], skip, max_depth):
            yield file_info(meta)


async def delete_folder(
    backend: AsyncObstoreBackend, path: str, recursive: bool, missing_ok: bool
) -> None:
    """Delete the keys of one recursive listing, 1000 per bulk request, as it streams."""
    batch: list[str] = []
    found = False
    async for meta in metas(backend, path):
        if not recursive:
            raise DirectoryNotEmpty("folder not empty", path=path, backend=backend.name)
        found = True
        batch.append(meta["path"])
        if len(batch) == PAGE:
            await bulk_delete(backend, batch, path)
            batch = []
    if batch:
        await bulk_delete(backend, batch, path)
    if found:
        return
    if path and await backend.is_file(path):
        raise InvalidPath("not a folder", path=path, backend=backend.name)
    if not missing_ok:
        raise NotFound("folder not found", path=path, backend=backend.name)


async def bulk_delete(backend: AsyncObstoreBackend, batch: list[str], path: str) -> None:
    import obstore

    try:
        await obstore.delete_async(backend.store, batch)
    except Exception as exc:
        backend._fail(exc, path)


#: HEADs in flight at once while :func:`delete_many` probes its keys.
PROBES = 8


async def delete_many(
    backend: AsyncObstoreBackend, keys: Sequence[str], *, missing_ok: bool
) -> dict[str, BaseException | None]:
    """Probe every key (up to :data:`PROBES` HEADs at once), then bulk-delete the files
    found, :data:`PAGE` keys a request; the outcomes of the sync ``delete_many``."""
    unique = list(dict.fromkeys(keys))
    gate = asyncio.Semaphore(PROBES)

    async def probe(key: str) -> BaseException | None:
        """``None`` when ``key`` is a file to delete, else its outcome (an error)."""
        try:
            async with gate:
                if await backend._head(key) is not None:
                    return None
                if await backend.is_folder(key):
                    return InvalidPath("not a file", path=key, backend=backend.name)
        except Exception as exc:
            return exc
        return NotFound("file not found", path=key, backend=backend.name)

    probed = await asyncio.gather(*(probe(key) for key in unique))
    outcome: dict[str, BaseException | None] = {}
    present = []
    for key, error in zip(unique, probed, strict=True):
        if error is None:
            present.append(key)
        elif missing_ok and isinstance(error, NotFound):
            error = None
        outcome[key] = error
    for start in range(0, len(present), PAGE):
        batch = present[start : start + PAGE]
        try:
            await bulk_delete(backend, batch, "")
        except Exception as exc:
            for key in batch:
                outcome[key] = exc
    return outcome


async def check_ancestors(backend: AsyncObstoreBackend, key: str) -> None:
    """With ``reject_write_under_file_ancestor``: refuse ``a/b`` while ``a`` is a file."""
    if not backend.reject_write_under_file_ancestor:
        return
    parent = parent_key(key)
    while parent:
        if await backend.is_file(parent):
            raise InvalidPath("a parent of the path is a file", path=key, backend=backend.name)
        parent = parent_key(parent)


async def _put(
    backend: AsyncObstoreBackend,
    key: str,
    body: Any,
    *,
    mode: str,
    attrs: dict[str, str] | None,
    multipart: bool,
) -> None:
    import obstore

    try:
        await obstore.put_async(
            backend.store,
            key,
            body,
            attributes=attrs,
            mode=mode,  # type: ignore[arg-type]
            use_multipart=multipart,
            chunk_size=backend.part_size,
            max_concurrency=backend.max_concurrency,
        )
    except Exception as exc:
        if multipart and not is_native(exc):
            raise  # the source's own error: nothing was committed
        backend._fail(exc, key)


async def write(
    backend: AsyncObstoreBackend,
    key: str,
    content: AsyncWritableContent,
    *,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
) -> WriteResult:
    """One PUT up to ``part_size``, or up to ``exclusive_create_limit`` when create-only
    (``If-None-Match: *``: exclusive); a longer stream is a multipart upload."""
    attrs = attributes(metadata, backend.name)
    await check_ancestors(backend, key)
    mode = "overwrite" if overwrite else "create"
    if isinstance(content, (bytes, bytearray, memoryview)):
        body = bytes(content)
        await _put(backend, key, body, mode=mode, attrs=attrs, multipart=False)
        return write_result(key, len(body), {}, metadata)
    limit = single_limit(backend.part_size, backend.exclusive_create_limit, overwrite)
    head: list[bytes] = []
    size = 0
    chunks = aiter(content)
    async for chunk in chunks:
        head.append(bytes(chunk))
        size += len(chunk)
        if limit is not None and size > limit:
            break
    else:
        await _put(backend, key, drain(head), mode=mode, attrs=attrs, multipart=False)
        return write_result(key, size, {}, metadata)
    if not overwrite and await backend.is_file(key):
        raise AlreadyExists("file exists", path=key, backend=backend.name)
    counted = [size]

    async def stream() -> AsyncIterator[bytes]:
        while head:
            yield head.pop(0)
        async for chunk in chunks:
            counted[0] += len(chunk)
            yield bytes(chunk)

    await _put(backend, key, stream(), mode="overwrite", attrs=attrs, multipart=True)
    return write_result(key, counted[0], {}, metadata)
