"""Listings: paginated object lists (ascending key order) and what is built on them.

The service lists names in ascending byte order, so a recursive listing is already in the
contract's order (``a.txt`` < ``a/b``: ``.`` sorts before ``/``); a delimited listing
returns files and folder prefixes apart, merged here by key with the folder as ``path/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from remote_store.backend import (
    FileInfo,
    FolderEntry,
    FolderInfo,
    InvalidPath,
    NotFound,
    RemotePath,
)

from remote_store_gcs._responses import file_info, folder_entry

if TYPE_CHECKING:
    from remote_store_gcs._backend import GCSBackend

__all__ = ["exists", "folder_info", "iter_children", "list_files", "list_folders", "pages"]

#: The most the service returns per page.
PAGE_SIZE = 1000
_FIELDS = (
    "items(name,size,updated,generation,metageneration,etag,md5Hash,crc32c,contentType),"
    "prefixes,nextPageToken"
)


def pages(
    backend: GCSBackend,
    path: str,
    *,
    prefix: str,
    delimiter: bool,
    page_size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Object-list pages under ``prefix`` (each request retried per the policy)."""
    size = page_size or PAGE_SIZE
    params = {"prefix": prefix, "maxResults": str(size), "fields": _FIELDS}
    if delimiter:
        params["delimiter"] = "/"
    url = backend._list_url()
    while True:
        page: dict[str, Any] = backend._request(
            "GET", url, path, params=params, idempotent=True
        ).json()
        yield page
        token = page.get("nextPageToken")
        if not token:
            return
        params["pageToken"] = token


def _files(page: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in page.get("items", ()):
        if not item["name"].endswith("/"):  # a folder placeholder written by another tool
            yield item


def list_files(
    backend: GCSBackend, path: str, *, recursive: bool, max_depth: int | None
) -> Iterator[FileInfo]:
    """One flat listing (recursive) or one delimited listing (one level)."""
    prefix = path + "/" if path else ""
    deep = recursive if max_depth is None else max_depth > 0
    skip = len(prefix)
    for page in pages(backend, path, prefix=prefix, delimiter=not deep):
        for item in _files(page):
            if max_depth is not None and item["name"].count("/", skip) > max_depth:
                continue
            yield file_info(item)


def list_folders(backend: GCSBackend, path: str) -> Iterator[FolderEntry]:
    prefix = path + "/" if path else ""
    for page in pages(backend, path, prefix=prefix, delimiter=True):
        for folder in page.get("prefixes", ()):
            yield folder_entry(folder)


def iter_children(backend: GCSBackend, path: str) -> Iterator[FileInfo | FolderEntry]:
    """One delimited listing, files and folders merged in key order."""
    prefix = path + "/" if path else ""
    for page in pages(backend, path, prefix=prefix, delimiter=True):
        entries: list[tuple[str, FileInfo | FolderEntry]] = [
            (item["name"], file_info(item)) for item in _files(page)
        ]
        entries += [(folder, folder_entry(folder)) for folder in page.get("prefixes", ())]
        entries.sort(key=lambda pair: pair[0])
        for _, entry in entries:
            yield entry


def exists(backend: GCSBackend, path: str, page_size: int) -> bool:
    """One delimited listing from the key itself: the key sorts first and ``path/`` comes
    back as a prefix after the siblings (``path.txt``) that sort before it."""
    page = next(pages(backend, path, prefix=path, delimiter=True, page_size=page_size))
    if any(item["name"] == path for item in page.get("items", ())):
        return True
    if path + "/" in page.get("prefixes", ()):
        return True
    # only a page filled by siblings sorting before "path/" leaves the answer open
    return bool(page.get("nextPageToken")) and backend.is_folder(path)


def folder_info(backend: GCSBackend, path: str) -> FolderInfo:
    """One flat listing, aggregated as it streams."""
    count = total = 0
    newest: datetime | None = None
    for info in list_files(backend, path, recursive=True, max_depth=None):
        count += 1
        total += info.size
        if info.modified_at is not None and (newest is None or info.modified_at > newest):
            newest = info.modified_at
    if count == 0 and path:
        if backend.is_file(path):
            raise InvalidPath("not a folder", path=path, backend=backend.name)
        if not backend.is_folder(path):
            raise NotFound("folder not found", path=path, backend=backend.name)
    return FolderInfo(RemotePath.from_backend_path(path), count, total, newest)
