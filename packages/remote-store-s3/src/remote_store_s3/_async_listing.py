"""AsyncS3Backend's listings and deletes of many keys, on ListObjectsV2 pages.

What each page means (files, folders, children, folder totals, which probed keys are
files) is :mod:`._listing`'s and :mod:`._deletes`'s, shared with the sync backend; this
module only drives the requests.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from remote_store.aio.backend import FileInfo, FolderEntry, FolderInfo
from remote_store.errors import DirectoryNotEmpty, InvalidPath, NotFound

from remote_store_s3 import _ops
from remote_store_s3._deletes import (
    ListProbe,
    delete_args,
    delete_outcome,
    outcomes,
    probe_groups,
    raise_failed,
)
from remote_store_s3._listing import (
    Totals,
    file_params,
    page_children,
    page_files,
    page_folders,
)

if TYPE_CHECKING:
    from remote_store_s3._async_backend import AsyncS3Backend

__all__ = [
    "delete_folder",
    "delete_many",
    "folder_info",
    "iter_children",
    "list_files",
    "list_folders",
    "pages",
]


async def pages(
    backend: AsyncS3Backend, path: str, **params: Any
) -> AsyncGenerator[dict[str, Any], None]:
    """ListObjectsV2 pages; the next page is fetched while the caller works on this one."""
    args = {"Bucket": backend._bucket, **params}

    def fetch(token: str | None) -> asyncio.Future[Any]:
        if token:
            args["ContinuationToken"] = token
        call = _ops.call("list_objects_v2", **args)
        return asyncio.ensure_future(backend._run(path, call))

    pending: asyncio.Future[Any] | None = fetch(None)
    try:
        while pending is not None:
            page = await pending
            token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
            pending = fetch(token) if token else None
            yield page
    finally:
        if pending is not None:
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)


async def list_files(
    backend: AsyncS3Backend, path: str, *, recursive: bool, max_depth: int | None
) -> AsyncIterator[FileInfo]:
    params = file_params(path, recursive=recursive, max_depth=max_depth)
    async for page in pages(backend, path, **params):
        for info in page_files(page, params["Prefix"], max_depth):
            yield info


async def list_folders(backend: AsyncS3Backend, path: str) -> AsyncIterator[FolderEntry]:
    prefix = path + "/" if path else ""
    async for page in pages(backend, path, Prefix=prefix, Delimiter="/"):
        for entry in page_folders(page):
            yield entry


async def iter_children(
    backend: AsyncS3Backend, path: str
) -> AsyncIterator[FileInfo | FolderEntry]:
    prefix = path + "/" if path else ""
    async for page in pages(backend, path, Prefix=prefix, Delimiter="/"):
        for entry in page_children(page):
            yield entry


async def folder_info(backend: AsyncS3Backend, path: str) -> FolderInfo:
    totals = Totals()
    async for info in list_files(backend, path, recursive=True, max_depth=None):
        totals.add(info)
    if totals.count == 0 and path:
        if await backend.is_file(path):
            raise InvalidPath("not a folder", path=path, backend=backend.name)
        if not await backend.is_folder(path):
            raise NotFound("folder not found", path=path, backend=backend.name)
    return totals.info(path)


# -- deletes of many keys -----------------------------------------------------------------


async def delete_many(
    backend: AsyncS3Backend, keys: Sequence[str], *, missing_ok: bool
) -> dict[str, BaseException | None]:
    """As the sync backend: one delimited listing per folder holding several of the keys,
    concurrent HEADs for the others, then one DeleteObjects request."""
    probe: dict[str, str] = {}
    for folder, members in probe_groups(keys).items():
        probe.update(await _list_probe(backend, ListProbe(folder, members)))
    rest = [key for key in keys if key not in probe]
    if rest:
        probe.update(await backend._run(None, _ops.probe_many(backend._bucket, rest)))
    outcome, present = outcomes(probe, missing_ok, backend.name)
    outcome.update(await _delete_keys(backend, present))
    return outcome


async def _list_probe(backend: AsyncS3Backend, probe: ListProbe) -> dict[str, str]:
    async with contextlib.aclosing(pages(backend, probe.folder, **probe.params)) as listing:
        async for page in listing:
            done = probe.feed(page)
            if done is None:
                return {}
            if done:
                break
    return probe.kinds()


async def delete_folder(
    backend: AsyncS3Backend, path: str, *, recursive: bool, missing_ok: bool
) -> None:
    """One flat listing; its keys are deleted 1000 at a time as it streams."""
    prefix = path + "/" if path else ""
    batch: list[str] = []
    first = True
    async with contextlib.aclosing(pages(backend, path, Prefix=prefix)) as listing:
        async for page in listing:
            for item in page.get("Contents", ()):
                key = item["Key"]
                if first and not recursive and key != prefix:
                    raise DirectoryNotEmpty("folder not empty", path=path, backend=backend.name)
                first = False
                batch.append(key)
                if len(batch) == 1000:
                    raise_failed(await _delete_keys(backend, batch))
                    batch = []
    if first:
        if path and await backend.is_file(path):
            raise InvalidPath("not a folder", path=path, backend=backend.name)
        if not missing_ok:
            raise NotFound("folder not found", path=path, backend=backend.name)
        return
    raise_failed(await _delete_keys(backend, batch))


async def _delete_keys(
    backend: AsyncS3Backend, keys: Sequence[str]
) -> dict[str, BaseException | None]:
    if not keys:
        return {}
    call = _ops.call("delete_objects", **delete_args(backend._bucket, keys))
    return delete_outcome(keys, await backend._run(None, call), backend.name)
