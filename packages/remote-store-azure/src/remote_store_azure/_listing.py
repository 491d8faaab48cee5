"""Listings and blob properties: delimiter listings for one level, one flat paginated
listing for a recursive walk, both in ascending key order (a folder sorts as ``name/``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from remote_store.backend import ContentDigest, FileInfo, FolderEntry, RemotePath

from remote_store_azure._hns import is_folder_marker

__all__ = ["file_info", "flat", "level", "name_of", "prefix_of"]


def name_of(key: str) -> str:
    return key.rpartition("/")[2]


def prefix_of(path: str) -> str:
    return f"{path}/" if path else ""


def file_info(key: str, props: Any) -> FileInfo:
    """A FileInfo from the SDK's ``BlobProperties`` (a listing item or a HEAD)."""
    settings = getattr(props, "content_settings", None)
    md5 = getattr(settings, "content_md5", None) if settings is not None else None
    modified: datetime | None = getattr(props, "last_modified", None)
    return FileInfo(
        path=RemotePath.from_backend_path(key),
        name=name_of(key),
        size=int(props.size or 0),
        modified_at=modified,
        digest=ContentDigest("md5", bytes(md5).hex()) if md5 else None,
        etag=props.etag,
        content_type=getattr(settings, "content_type", None) if settings is not None else None,
        metadata=dict(props.metadata or {}),
        extra={"blob_type": str(getattr(props, "blob_type", "") or "")},
        version_id=getattr(props, "version_id", None),
    )


async def level(container: Any, path: str) -> AsyncIterator[FileInfo | FolderEntry]:
    """One level of ``path`` (delimiter listing), ascending, a folder as ``name/``."""
    pages = container.walk_blobs(
        name_starts_with=prefix_of(path), delimiter="/", include=["metadata"]
    ).by_page()
    async for page in pages:
        entries: list[tuple[str, FileInfo | FolderEntry]] = []
        async for item in page:
            name: str = item.name
            if name.endswith("/") or is_folder_marker(getattr(item, "metadata", None)):
                key = name.rstrip("/")
                folder = FolderEntry(RemotePath.from_backend_path(key), name_of(key))
                entries.append((key + "/", folder))
            else:
                entries.append((name, file_info(name, item)))
        entries.sort(key=lambda pair: pair[0])
        last = None
        for sort_key, entry in entries:
            if sort_key != last:  # an HNS directory may be both marker and prefix
                yield entry
            last = sort_key


async def flat(container: Any, path: str, max_depth: int | None) -> AsyncIterator[FileInfo]:
    """Every file below ``path`` (at most ``max_depth`` levels down), in key order."""
    prefix = prefix_of(path)
    items = container.list_blobs(name_starts_with=prefix, include=["metadata"])
    async for item in items:
        if is_folder_marker(item.metadata):
            continue  # an HNS directory
        if max_depth is not None and item.name[len(prefix) :].count("/") > max_depth:
            continue
        yield file_info(item.name, item)
