"""Server-side copy on the Blob API, and the delete that completes a move on a flat
account: the source is deleted only while it still is the version copied."""

from __future__ import annotations

import asyncio
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError
from remote_store.errors import PreconditionFailed, RemoteStoreError

from remote_store_azure._errors import conflict, status_of

__all__ = ["COPY_POLL_SECONDS", "delete_if_unchanged", "server_copy"]

#: Seconds between polls of a pending server-side copy.
COPY_POLL_SECONDS = 0.2


async def server_copy(
    target: Any,
    source_url: str,
    source_etag: str | None,
    *,
    overwrite: bool,
    path: str,
    backend: str,
    hns: bool,
) -> None:
    """Copy exactly the source version ``source_etag`` onto ``target`` (create-only unless
    ``overwrite``) and wait until the copy has completed; ``path`` is the destination."""
    conditions: dict[str, Any] = {
        "source_etag": source_etag,
        "source_match_condition": MatchConditions.IfNotModified,
    }
    if not overwrite:
        conditions["match_condition"] = MatchConditions.IfMissing
    try:
        copy = await target.start_copy_from_url(source_url, **conditions)
    except HttpResponseError as exc:
        if not overwrite:
            raise conflict(exc, path, backend, hns) from None
        raise
    status = copy.get("copy_status")
    while status == "pending":
        await asyncio.sleep(COPY_POLL_SECONDS)
        props = await target.get_blob_properties()
        status = props.copy.status
    if status != "success":
        raise RemoteStoreError(f"server-side copy ended {status!r}", path=path, backend=backend)


async def delete_if_unchanged(blob: Any, etag: str | None, path: str, backend: str) -> None:
    """Delete the source of a move only while its etag is ``etag``; else both copies stay
    and :class:`PreconditionFailed` is raised."""
    try:
        await blob.delete_blob(etag=etag, match_condition=MatchConditions.IfNotModified)
    except HttpResponseError as exc:
        if status_of(exc) == 412:
            raise PreconditionFailed(
                "the source changed during the move; both copies were kept",
                path=path,
                backend=backend,
            ) from None
        raise
