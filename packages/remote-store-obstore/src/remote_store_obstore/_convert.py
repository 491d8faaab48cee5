"""obstore's results as remote-store models, and user metadata as obstore attributes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from remote_store.backend import (
    FileInfo,
    FolderEntry,
    FolderInfo,
    InvalidArgument,
    RemotePath,
    WriteResult,
)

__all__ = [
    "Totals",
    "attributes",
    "child_order",
    "children",
    "file_info",
    "folder_entry",
    "within_depth",
    "write_result",
]

#: Attribute names obstore sends as HTTP headers, not as user metadata.
_HEADER_ATTRIBUTES = {
    "content-disposition": "Content-Disposition",
    "content-encoding": "Content-Encoding",
    "content-language": "Content-Language",
    "content-type": "Content-Type",
    "cache-control": "Cache-Control",
}


def attributes(metadata: Mapping[str, str] | None, backend: str) -> dict[str, str] | None:
    """obstore ``attributes`` for user metadata; a key that obstore would send as a standard
    header (``Content-Type``...) is refused rather than silently turned into one."""
    if not metadata:
        return None
    for key in metadata:
        if key.lower() in _HEADER_ATTRIBUTES:
            raise InvalidArgument(
                f"metadata key {key!r} is a reserved HTTP header name", backend=backend
            )
    return dict(metadata)


def _split(attrs: Mapping[str, Any] | None) -> tuple[str | None, dict[str, str]]:
    """(content type, user metadata) from a GET/HEAD's attributes."""
    content_type = None
    metadata: dict[str, str] = {}
    for key, value in (attrs or {}).items():
        if key.lower() in _HEADER_ATTRIBUTES:
            if key.lower() == "content-type":
                content_type = str(value)
            continue
        metadata[key] = str(value)
    return content_type, metadata


def file_info(meta: Mapping[str, Any], attrs: Mapping[str, Any] | None = None) -> FileInfo:
    """A file's info from obstore's ``ObjectMeta`` (and the attributes of a HEAD).

    On the listing path (one call per object): positional arguments, no attribute split.
    """
    key: str = meta["path"]
    content_type, metadata = (None, None) if attrs is None else _split(attrs)
    return FileInfo(
        RemotePath.from_backend_path(key),
        key.rpartition("/")[2],
        int(meta["size"]),
        meta.get("last_modified"),
        None,  # digest: obstore reports none
        meta.get("e_tag"),
        content_type,
        metadata,
        None,  # extra
        meta.get("version"),
    )


def folder_entry(prefix: str) -> FolderEntry:
    """A folder from a common prefix (obstore gives ``"a/b"``, without the slash)."""
    key = prefix.rstrip("/")
    return FolderEntry(RemotePath.from_backend_path(key), key.rpartition("/")[2])


def write_result(
    key: str, size: int, result: Mapping[str, Any], metadata: Mapping[str, str] | None
) -> WriteResult:
    """The result of obstore's ``put``: path and size only (``source="basic"``).

    obstore's put returns the ETag and version but no modification time, so the result
    cannot be ``"native"``, and a basic result carries no rich field; ``get_file_info``
    gives them.
    """
    del result
    return WriteResult(
        path=key, size=size, source="basic", metadata=dict(metadata) if metadata else None
    )


def within_depth(key: str, skip: int, max_depth: int | None) -> bool:
    """Whether ``key`` lies at most ``max_depth`` folders below the listed prefix."""
    return max_depth is None or key.count("/", skip) <= max_depth


def child_order(entry: FileInfo | FolderEntry) -> str:
    """Listing order: ascending key, a folder taken as ``key/``."""
    key = str(entry.path)
    return key + "/" if isinstance(entry, FolderEntry) else key


def children(listing: Mapping[str, Any]) -> list[FileInfo | FolderEntry]:
    """The entries of one ``list_with_delimiter`` result, in listing order."""
    entries: list[FileInfo | FolderEntry] = [file_info(meta) for meta in listing["objects"]]
    entries += [folder_entry(prefix) for prefix in listing["common_prefixes"]]
    entries.sort(key=child_order)
    return entries


class Totals:
    """Count, bytes and newest modification of a stream of files."""

    def __init__(self) -> None:
        self.count = 0
        self.size = 0
        self.newest: datetime | None = None

    def add(self, infos: Iterable[FileInfo]) -> None:
        """Account for ``infos``."""
        for info in infos:
            self.count += 1
            self.size += info.size
            if info.modified_at is not None and (
                self.newest is None or info.modified_at > self.newest
            ):
                self.newest = info.modified_at

    def info(self, path: str) -> FolderInfo:
        """The folder's :class:`FolderInfo`."""
        return FolderInfo(RemotePath.from_backend_path(path), self.count, self.size, self.newest)
