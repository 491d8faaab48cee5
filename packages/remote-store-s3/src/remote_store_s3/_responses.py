"""S3 responses as remote-store models: file and folder entries, digests, write results."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from remote_store.backend import ContentDigest, FileInfo, FolderEntry, RemotePath, WriteResult

__all__ = ["folder_entry", "head_info", "listed_info", "write_result"]

_CHECKSUMS = (
    "ChecksumSHA256",
    "ChecksumSHA1",
    "ChecksumCRC32C",
    "ChecksumCRC32",
    "ChecksumCRC64NVME",
)


def head_info(key: str, head: Mapping[str, Any]) -> FileInfo:
    """A file's info from its HeadObject response."""
    return FileInfo(
        path=RemotePath._trusted(key),
        name=key.rpartition("/")[2],
        size=int(head.get("ContentLength", 0)),
        modified_at=head.get("LastModified"),
        digest=_digest(head),
        etag=head.get("ETag"),
        content_type=head.get("ContentType"),
        metadata=dict(head.get("Metadata") or {}),
        version_id=head.get("VersionId"),
    )


def listed_info(item: Mapping[str, Any]) -> FileInfo:
    """A file's info from one ``Contents`` entry of a ListObjectsV2 page."""
    key = item["Key"]
    return FileInfo(
        path=RemotePath._trusted(key),
        name=key.rpartition("/")[2],
        size=int(item.get("Size", 0)),
        modified_at=item.get("LastModified"),
        etag=item.get("ETag"),
    )


def folder_entry(prefix: str) -> FolderEntry:
    """A folder from one ``CommonPrefixes`` entry (``"a/b/"``)."""
    key = prefix.rstrip("/")
    return FolderEntry(RemotePath._trusted(key), key.rpartition("/")[2])


def write_result(
    key: str, size: int, response: Mapping[str, Any], metadata: Mapping[str, str] | None
) -> WriteResult:
    """The result of a PutObject or CompleteMultipartUpload (or of the HEAD standing in)."""
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    modified = response.get("LastModified") or _http_date(headers.get("date"))
    return WriteResult(
        path=key,
        size=size,
        source="native",
        digest=_digest(response),
        etag=response.get("ETag"),
        version_id=response.get("VersionId"),
        last_modified=modified,
        metadata=dict(metadata) if metadata else None,
    )


def _digest(response: Mapping[str, Any]) -> ContentDigest | None:
    """The full-object checksum S3 reports (base64) as hex; composite checksums are skipped."""
    if response.get("ChecksumType") == "COMPOSITE":
        return None  # a checksum of the parts' checksums (a multipart upload)
    for field in _CHECKSUMS:
        value = response.get(field)
        if value and "-" not in value:
            algorithm = field.removeprefix("Checksum").lower()
            import base64

            return ContentDigest(algorithm, base64.b64decode(value).hex())
    return None


def _http_date(value: str | None) -> datetime | None:
    from email.utils import parsedate_to_datetime  # on first use: keeps the import light

    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
