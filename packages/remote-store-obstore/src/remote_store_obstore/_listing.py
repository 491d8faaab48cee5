"""Sync listings and deletes of many keys.

Order: S3 (ListObjectsV2), Azure (List Blobs) and GCS (objects.list) return keys in
ascending order page after page, and obstore's ``list`` passes the pages through in
that order, so a recursive listing streams one page (1000 keys) at a time without
sorting. A one-level listing uses ``list_with_delimiter``, which obstore collects
whole (all pages of that level): it is held in memory and sorted with its folders.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from remote_store.backend import (
    DirectoryNotEmpty,
    FileInfo,
    FolderEntry,
    FolderInfo,
    InvalidPath,
    NotFound,
)

from remote_store_obstore._convert import Totals, file_info, within_depth
from remote_store_obstore._convert import children as sorted_children

if TYPE_CHECKING:
    from remote_store_obstore._backend import ObstoreBackend

__all__ = [
    "children",
    "delete_folder",
    "delete_many",
    "first_key",
    "folder_info",
    "keys",
    "list_files",
]

#: Keys per listing page and per bulk delete (S3's limits).
PAGE = 1000


def metas(backend: ObstoreBackend, path: str, page: int = PAGE) -> Iterator[dict[str, Any]]:
    """Every object below folder ``path`` (``""``: the bucket), page by page, in key order."""
    import obstore

    try:
        stream = obstore.list(backend.store, path or None, chunk_size=page)
        for batch in stream:
            yield from batch  # type: ignore[misc]
    except Exception as exc:
        backend._fail(exc, path)


def keys(backend: ObstoreBackend, path: str) -> Iterator[str]:
    """The keys below folder ``path``."""
    return (meta["path"] for meta in metas(backend, path))


def first_key(backend: ObstoreBackend, path: str) -> str | None:
    """One key below folder ``path``, ``None`` when there is none (one small LIST)."""
    return next((meta["path"] for meta in metas(backend, path, page=1)), None)


def list_files(
    backend: ObstoreBackend, path: str, *, recursive: bool, max_depth: int | None
) -> Iterator[FileInfo]:
    """Recursive: streamed; one level: the files of one delimited listing."""
    deep = recursive if max_depth is None else max_depth > 0
    if not deep:
        return (e for e in children(backend, path) if isinstance(e, FileInfo))
    skip = len(path) + 1 if path else 0
    return (
        file_info(meta)
        for meta in metas(backend, path)
        if within_depth(meta["path"], skip, max_depth)
    )


def children(backend: ObstoreBackend, path: str) -> list[FileInfo | FolderEntry]:
    """Files and folders directly in ``path``, in listing order (one delimited listing)."""
    import obstore

    try:
        listing = obstore.list_with_delimiter(backend.store, path or None)
    except Exception as exc:
        backend._fail(exc, path)
    return sorted_children(listing)


def folder_info(backend: ObstoreBackend, path: str) -> FolderInfo:
    """Totals of one recursive listing; a file or a missing path is an error."""
    totals = Totals()
    totals.add(file_info(meta) for meta in metas(backend, path))
    if totals.count == 0 and path:
        if backend.is_file(path):
            raise InvalidPath("not a folder", path=path, backend=backend.name)
        raise NotFound("folder not found", path=path, backend=backend.name)
    return totals.info(path)


def delete_folder(backend: ObstoreBackend, path: str, *, recursive: bool, missing_ok: bool) -> None:
    """Delete the keys of one recursive listing, 1000 per bulk request, as it streams."""
    found = keys(backend, path)
    first = next(found, None)
    if first is None:
        if path and backend.is_file(path):
            raise InvalidPath("not a folder", path=path, backend=backend.name)
        if not missing_ok:
            raise NotFound("folder not found", path=path, backend=backend.name)
        return
    if not recursive:
        raise DirectoryNotEmpty("folder not empty", path=path, backend=backend.name)
    batch = [first]
    for key in found:
        batch.append(key)
        if len(batch) == PAGE:
            _bulk_delete(backend, batch, path)
            batch = []
    _bulk_delete(backend, batch, path)


def _bulk_delete(backend: ObstoreBackend, batch: list[str], path: str) -> None:
    import obstore

    if not batch:
        return
    try:
        obstore.delete(backend.store, batch)
    except Exception as exc:
        backend._fail(exc, path)


def delete_many(
    backend: ObstoreBackend, keys: Sequence[str], *, missing_ok: bool
) -> dict[str, BaseException | None]:
    """Probe every key (HEADs on up to 8 threads), then bulk-delete the files found.

    A key's outcome is ``None`` (deleted; or missing with ``missing_ok``), ``NotFound``,
    ``InvalidPath`` (a folder) or the error of its probe or of its bulk request: one
    key's failure never hides the others' outcomes.
    """
    unique = list(dict.fromkeys(keys))

    def probe(key: str) -> BaseException | None:
        """``None`` when ``key`` is a file to delete, else its outcome (an error)."""
        try:
            if backend._head(key) is not None:
                return None
            if backend.is_folder(key):
                return InvalidPath("not a file", path=key, backend=backend.name)
        except Exception as exc:
            return exc
        return NotFound("file not found", path=key, backend=backend.name)

    from concurrent.futures import ThreadPoolExecutor  # loaded here: not needed at import

    with ThreadPoolExecutor(max_workers=max(1, min(8, len(unique)))) as pool:
        probed = list(pool.map(probe, unique))
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
            _bulk_delete(backend, batch, "")
        except Exception as exc:
            for key in batch:
                outcome[key] = exc
    return outcome
