"""Reads on the Blob API: a lazy download in ranged GETs pinned to one version, and a
single ranged read."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError

from remote_store_azure._errors import status_of

__all__ = ["FIRST_RANGE", "first_range", "read_range", "rest_of", "total_size"]

#: Bytes of the first ranged GET of a read (a read is lazy: nothing more until consumed).
FIRST_RANGE = 1024 * 1024


def total_size(props: Any) -> int:
    """The blob's full size from a ranged download (``Content-Range: bytes a-b/total``)."""
    content_range = getattr(props, "content_range", None)
    if content_range and "/" in content_range:
        return int(content_range.rpartition("/")[2])
    return int(props.size or 0)


async def first_range(blob: Any) -> Any:
    """The downloader of the blob's first :data:`FIRST_RANGE` bytes (its ``properties``
    are the blob's)."""
    try:
        return await blob.download_blob(offset=0, length=FIRST_RANGE)
    except HttpResponseError as exc:
        if status_of(exc) != 416:
            raise
        return await blob.download_blob()  # an empty blob has no byte range


async def rest_of(blob: Any, first: Any, range_size: int) -> AsyncGenerator[bytes, None]:
    """The content from the ``first`` downloader on, in GETs of ``range_size`` bytes, each
    of the version ``first`` read (412 if the blob changed)."""
    props = first.properties
    data: bytes = await first.readall()
    offset, size = len(data), total_size(props)
    while data:
        yield data
        if offset >= size:
            return
        part = await blob.download_blob(
            offset=offset,
            length=min(range_size, size - offset),
            etag=props.etag,
            match_condition=MatchConditions.IfNotModified,
        )
        data = await part.readall()
        offset += len(data)


async def read_range(blob: Any, offset: int, length: int) -> bytes:
    """``length`` bytes from ``offset`` (one ranged GET); empty at or past the end."""
    if length <= 0:
        return b""
    try:
        downloader = await blob.download_blob(offset=offset, length=length)
    except HttpResponseError as exc:
        if status_of(exc) == 416:
            return b""
        raise
    data: bytes = await downloader.readall()
    return data
