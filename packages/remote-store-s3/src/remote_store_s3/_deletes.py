"""Deletes of many keys: a batch (probed, then one DeleteObjects) and a folder's keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from remote_store.errors import DirectoryNotEmpty, InvalidPath, NotFound

from remote_store_s3 import _listing, _ops
from remote_store_s3._errors import classify

if TYPE_CHECKING:
    from remote_store_s3._backend import S3Backend

__all__ = ["delete_folder", "delete_many"]


#: Keys of one folder from which a delimited listing, not one HEAD each, tells which of
#: them are files, folders or missing.
LIST_PROBE_MIN = 4
#: Keys one listing page must answer for on average before the listing gives up (a few
#: keys spread over a huge folder are cheaper to HEAD).
KEYS_PER_PAGE_MIN = 250


def delete_many(
    backend: S3Backend, keys: Sequence[str], *, missing_ok: bool
) -> dict[str, BaseException | None]:
    """Delete up to 1000 files: find what each key is (one delimited listing per folder
    holding several of them, else concurrent HEADs), then one DeleteObjects request."""
    probe = _kinds_by_listing(backend, keys)
    rest = [key for key in keys if key not in probe]
    if rest:
        probe.update(backend._run(None, _ops.probe_many(backend._bucket, rest)))
    outcome: dict[str, BaseException | None] = {}
    present = []
    for key, kind in probe.items():
        if kind == "file":
            present.append(key)
        elif kind == "folder":
            outcome[key] = InvalidPath("not a file", path=key, backend=backend.name)
        else:
            outcome[key] = (
                None if missing_ok else NotFound("file not found", path=key, backend=backend.name)
            )
    outcome.update(_delete_keys(backend, present))
    return outcome


def _kinds_by_listing(backend: S3Backend, keys: Sequence[str]) -> dict[str, str]:
    """``{key: "file" | "folder" | "missing"}`` for the keys whose folder holds several of
    them, each folder read by one delimited listing from just before its first key to just
    past its last; the others are left out (the caller HEADs them)."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(key.rpartition("/")[0], []).append(key)
    kinds: dict[str, str] = {}
    for folder, members in groups.items():
        if len(members) >= LIST_PROBE_MIN:
            kinds.update(_list_probe(backend, folder, members))
    return kinds


def _list_probe(backend: S3Backend, folder: str, members: list[str]) -> dict[str, str]:
    wanted = set(members)
    last = max(members) + "/"  # a folder's prefix sorts right after its name
    files: set[str] = set()
    folders: set[str] = set()
    budget = max(2, len(members) // KEYS_PER_PAGE_MIN)
    params = {
        "Prefix": folder + "/" if folder else "",
        "Delimiter": "/",
        "StartAfter": _just_before(min(members)),
    }
    for number, page in enumerate(_listing.pages(backend, folder, **params), 1):
        seen = [item["Key"] for item in page.get("Contents", ())]
        prefixes = [item["Prefix"] for item in page.get("CommonPrefixes", ())]
        files.update(key for key in seen if key in wanted)
        folders.update(p[:-1] for p in prefixes if p[:-1] in wanted)
        if max([*seen, *prefixes], default="") >= last:
            break
        if number >= budget and page.get("IsTruncated"):
            return {}  # sparse keys in a large folder: HEADs are cheaper
    return {k: "file" if k in files else "folder" if k in folders else "missing" for k in members}


def _just_before(key: str) -> str:
    """A string that sorts right before ``key`` (S3's StartAfter excludes its value)."""
    if not key:
        return ""
    head, last = key[:-1], ord(key[-1])
    if last == 0:
        return head
    previous = 0xD7FF if 0xD800 <= last - 1 <= 0xDFFF else last - 1  # no lone surrogates
    return head + chr(previous) + "\U0010ffff"


def delete_folder(backend: S3Backend, path: str, *, recursive: bool, missing_ok: bool) -> None:
    """One flat listing; its keys are deleted 1000 at a time as it streams."""
    prefix = path + "/" if path else ""
    keys = (
        info["Key"]
        for page in _listing.pages(backend, path, Prefix=prefix)
        for info in page.get("Contents", ())
    )
    first = next(keys, None)
    if first is None:
        if path and backend.is_file(path):
            raise InvalidPath("not a folder", path=path, backend=backend.name)
        if not missing_ok:
            raise NotFound("folder not found", path=path, backend=backend.name)
        return
    if not recursive and first != prefix:
        raise DirectoryNotEmpty("folder not empty", path=path, backend=backend.name)
    batch = [first]
    for key in keys:
        batch.append(key)
        if len(batch) == 1000:
            _raise_failed(_delete_keys(backend, batch))
            batch = []
    _raise_failed(_delete_keys(backend, batch))


def _delete_keys(backend: S3Backend, keys: Sequence[str]) -> dict[str, BaseException | None]:
    if not keys:
        return {}
    args = {
        "Bucket": backend._bucket,
        "Delete": {"Objects": [{"Key": k} for k in keys], "Quiet": True},
    }
    response = backend._run(None, _ops.call("delete_objects", **args))
    outcome: dict[str, BaseException | None] = dict.fromkeys(keys)
    for error in response.get("Errors", ()):
        fake = _ops.client_error(error)
        outcome[error["Key"]] = classify(fake, error["Key"], backend.name)
    return outcome


def _raise_failed(outcome: Mapping[str, BaseException | None]) -> None:
    for error in outcome.values():
        if error is not None:
            raise error
