"""Object resources of the JSON API as remote-store models: file and folder entries,
digests and write results. ``version_id`` is the object's generation."""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from remote_store.backend import ContentDigest, FileInfo, FolderEntry, RemotePath, WriteResult

__all__ = ["file_info", "folder_entry", "write_result"]

#: ``FileInfo.extra`` names and the resource fields they come from.
_EXTRA = (
    ("generation", "generation"),
    ("metageneration", "metageneration"),
    ("storage_class", "storageClass"),
    ("crc32c", "crc32c"),
)


def file_info(resource: Mapping[str, Any]) -> FileInfo:
    """A file's info from its object resource (a metadata GET or a listing item)."""
    key = str(resource["name"])
    generation = resource.get("generation")
    extra: dict[str, Any] = {}
    for name, field in _EXTRA:
        value = resource.get(field)
        if value is not None:
            extra[name] = value
    return FileInfo(
        path=RemotePath.from_backend_path(key),
        name=key.rpartition("/")[2],
        size=int(resource.get("size") or 0),
        modified_at=_timestamp(resource.get("updated")),
        digest=digest(resource),
        etag=resource.get("etag"),
        content_type=resource.get("contentType"),
        metadata=dict(resource.get("metadata") or {}),
        extra=extra,
        version_id=str(generation) if generation is not None else None,
    )


def folder_entry(prefix: str) -> FolderEntry:
    """A folder from one ``prefixes`` entry of a delimited listing (``"a/b/"``)."""
    key = prefix.rstrip("/")
    return FolderEntry(RemotePath.from_backend_path(key), key.rpartition("/")[2])


def write_result(
    key: str, size: int, resource: Mapping[str, Any], metadata: Mapping[str, str] | None
) -> WriteResult:
    """The result of a finished upload (its response is the new object's resource)."""
    generation = resource.get("generation")
    return WriteResult(
        path=key,
        size=size,
        source="native",
        digest=digest(resource),
        etag=resource.get("etag"),
        version_id=str(generation) if generation is not None else None,
        last_modified=_timestamp(resource.get("updated")),
        metadata=dict(metadata) if metadata else None,
    )


def digest(resource: Mapping[str, Any]) -> ContentDigest | None:
    """MD5 when the service keeps one (not for composed objects), else CRC32C; as hex."""
    for algorithm, field in (("md5", "md5Hash"), ("crc32c", "crc32c")):
        value = resource.get(field)
        if value:
            try:
                return ContentDigest(algorithm, binascii.a2b_base64(value, strict_mode=True).hex())
            except (binascii.Error, ValueError):
                continue
    return None


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
