"""Listings: ListObjectsV2 pages (the next one prefetched) and what is built on them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from remote_store.backend import FileInfo, FolderEntry, FolderInfo, RemotePath
from remote_store.errors import InvalidPath, NotFound

from remote_store_s3 import _ops
from remote_store_s3._errors import classify
from remote_store_s3._responses import folder_entry, listed_info

if TYPE_CHECKING:
    from concurrent.futures import Future

    from remote_store_s3._backend import S3Backend

__all__ = [
    "Totals",
    "file_params",
    "folder_info",
    "iter_children",
    "list_files",
    "list_folders",
    "page_children",
    "page_files",
    "page_folders",
    "pages",
]


def pages(backend: S3Backend, path: str, **params: Any) -> Iterator[dict[str, Any]]:
    """ListObjectsV2 pages; the next page is fetched while the caller works on this one."""
    args = {"Bucket": backend._bucket, **params}
    backend._client or backend._connect()
    pending: Future[Any] | None = backend._submit(backend._client.list_objects_v2(**args))
    while pending is not None:
        try:
            page = pending.result()
        except Exception as exc:
            error = classify(exc, path, backend.name)
            policy = backend.retry_policy
            if not error.retryable or policy.max_attempts < 2:
                raise error from exc
            import dataclasses

            retry = dataclasses.replace(policy, max_attempts=policy.max_attempts - 1)
            page = backend._run(path, _ops.call("list_objects_v2", **args), policy=retry)
        token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
        args["ContinuationToken"] = token
        pending = backend._submit(backend._client.list_objects_v2(**args)) if token else None
        yield page


def file_params(path: str, *, recursive: bool, max_depth: int | None) -> dict[str, Any]:
    """ListObjectsV2 parameters for ``list_files``: flat when deep, else delimited."""
    prefix = path + "/" if path else ""
    deep = recursive if max_depth is None else max_depth > 0
    return {"Prefix": prefix} if deep else {"Prefix": prefix, "Delimiter": "/"}


def page_files(page: dict[str, Any], prefix: str, max_depth: int | None) -> Iterator[FileInfo]:
    """The files of one page below ``prefix``: no folder markers, none deeper than ``max_depth``."""
    skip = len(prefix)
    for item in page.get("Contents", ()):
        key = item["Key"]
        if key.endswith("/"):
            continue  # a folder marker written by another tool
        if max_depth is not None and key.count("/", skip) > max_depth:
            continue
        yield listed_info(item)


def page_folders(page: dict[str, Any]) -> Iterator[FolderEntry]:
    """The folders (``CommonPrefixes``) of one delimited page."""
    for item in page.get("CommonPrefixes", ()):
        yield folder_entry(item["Prefix"])


def page_children(page: dict[str, Any]) -> list[FileInfo | FolderEntry]:
    """Files and folders of one delimited page, merged in key order."""
    entries: list[tuple[str, FileInfo | FolderEntry]] = [
        (item["Key"], listed_info(item))
        for item in page.get("Contents", ())
        if not item["Key"].endswith("/")
    ]
    entries += [
        (item["Prefix"], folder_entry(item["Prefix"])) for item in page.get("CommonPrefixes", ())
    ]
    entries.sort(key=lambda pair: pair[0])
    return [entry for _, entry in entries]


class Totals:
    """Count, total size and newest modification of files, for ``get_folder_info``."""

    def __init__(self) -> None:
        self.count = self.total = 0
        self.newest: datetime | None = None

    def add(self, info: FileInfo) -> None:
        self.count += 1
        self.total += info.size
        if info.modified_at is not None and (self.newest is None or info.modified_at > self.newest):
            self.newest = info.modified_at

    def info(self, path: str) -> FolderInfo:
        return FolderInfo(RemotePath.from_backend_path(path), self.count, self.total, self.newest)


def list_files(
    backend: S3Backend, path: str, *, recursive: bool, max_depth: int | None
) -> Iterator[FileInfo]:
    """One flat paginated listing (recursive) or one delimited listing (one level)."""
    params = file_params(path, recursive=recursive, max_depth=max_depth)
    for page in pages(backend, path, **params):
        yield from page_files(page, params["Prefix"], max_depth)


def list_folders(backend: S3Backend, path: str) -> Iterator[FolderEntry]:
    prefix = path + "/" if path else ""
    for page in pages(backend, path, Prefix=prefix, Delimiter="/"):
        yield from page_folders(page)


def iter_children(backend: S3Backend, path: str) -> Iterator[FileInfo | FolderEntry]:
    """One delimited listing, files and folders merged in key order."""
    prefix = path + "/" if path else ""
    for page in pages(backend, path, Prefix=prefix, Delimiter="/"):
        yield from page_children(page)


def folder_info(backend: S3Backend, path: str) -> FolderInfo:
    """One flat paginated listing (``backend.list_files``), aggregated as it streams."""
    totals = Totals()
    for info in backend.list_files(path, recursive=True):
        totals.add(info)
    if totals.count == 0 and path:
        if backend.is_file(path):
            raise InvalidPath("not a folder", path=path, backend=backend.name)
        if not backend.is_folder(path):
            raise NotFound("folder not found", path=path, backend=backend.name)
    return totals.info(path)
