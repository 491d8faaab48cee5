"""Deletes of many keys: a batch (probed, then one DeleteObjects) and a folder's keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from remote_store.errors import DirectoryNotEmpty, InvalidPath, NotFound

from remote_store_s3 import _listing, _ops
from remote_store_s3._errors import classify

if TYPE_CHECKING:
    from remote_store_s3._backend import S3Backend

__all__ = [
    "ListProbe",
    "delete_args",
    "delete_folder",
    "delete_many",
    "delete_outcome",
    "outcomes",
    "probe_groups",
    "raise_failed",
]


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
    probe: dict[str, str] = {}
    for folder, members in probe_groups(keys).items():
        probe.update(_list_probe(backend, ListProbe(folder, members)))
    rest = [key for key in keys if key not in probe]
    if rest:
        probe.update(backend._run(None, _ops.probe_many(backend._bucket, rest)))
    outcome, present = outcomes(probe, missing_ok, backend.name)
    outcome.update(_delete_keys(backend, present))
    return outcome


def probe_groups(keys: Sequence[str]) -> dict[str, list[str]]:
    """The keys grouped by folder, for the folders holding several of them (a listing
    tells those apart; the others are HEADed)."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(key.rpartition("/")[0], []).append(key)
    return {folder: keys for folder, keys in groups.items() if len(keys) >= LIST_PROBE_MIN}


class ListProbe:
    """``{key: "file" | "folder" | "missing"}`` for one folder's keys from one delimited
    listing, read from just before its first key to just past its last: feed it pages."""

    def __init__(self, folder: str, members: list[str]) -> None:
        self.folder = folder
        self._members = members
        self._wanted = set(members)
        self._last = max(members) + "/"  # a folder's prefix sorts right after its name
        self._files: set[str] = set()
        self._folders: set[str] = set()
        self._budget = max(2, len(members) // KEYS_PER_PAGE_MIN)
        self._pages = 0
        self.params = {
            "Prefix": folder + "/" if folder else "",
            "Delimiter": "/",
            "StartAfter": _just_before(min(members)),
        }

    def feed(self, page: Mapping[str, Any]) -> bool | None:
        """Take one page: ``True`` when done, ``False`` for the next page, ``None`` to give
        up (sparse keys in a large folder: HEADs are cheaper)."""
        self._pages += 1
        seen = [item["Key"] for item in page.get("Contents", ())]
        prefixes = [item["Prefix"] for item in page.get("CommonPrefixes", ())]
        self._files.update(key for key in seen if key in self._wanted)
        self._folders.update(p[:-1] for p in prefixes if p[:-1] in self._wanted)
        if max([*seen, *prefixes], default="") >= self._last:
            return True
        if self._pages >= self._budget and page.get("IsTruncated"):
            return None
        return False

    def kinds(self) -> dict[str, str]:
        files, folders = self._files, self._folders
        return {
            k: "file" if k in files else "folder" if k in folders else "missing"
            for k in self._members
        }


def _list_probe(backend: S3Backend, probe: ListProbe) -> dict[str, str]:
    for page in _listing.pages(backend, probe.folder, **probe.params):
        done = probe.feed(page)
        if done is None:
            return {}
        if done:
            break
    return probe.kinds()


def outcomes(
    probe: Mapping[str, str], missing_ok: bool, backend: str
) -> tuple[dict[str, BaseException | None], list[str]]:
    """The outcome of each key that is not a file, and the files to delete."""
    outcome: dict[str, BaseException | None] = {}
    present = []
    for key, kind in probe.items():
        if kind == "file":
            present.append(key)
        elif kind == "folder":
            outcome[key] = InvalidPath("not a file", path=key, backend=backend)
        else:
            outcome[key] = (
                None if missing_ok else NotFound("file not found", path=key, backend=backend)
            )
    return outcome, present


def delete_args(bucket: str, keys: Sequence[str]) -> dict[str, Any]:
    """DeleteObjects arguments (quiet: only failures come back)."""
    return {"Bucket": bucket, "Delete": {"Objects": [{"Key": k} for k in keys], "Quiet": True}}


def delete_outcome(
    keys: Sequence[str], response: Mapping[str, Any], backend: str
) -> dict[str, BaseException | None]:
    """Each key's outcome from a DeleteObjects response (``None``: deleted)."""
    outcome: dict[str, BaseException | None] = dict.fromkeys(keys)
    for error in response.get("Errors", ()):
        fake = _ops.client_error(error)
        outcome[error["Key"]] = classify(fake, error["Key"], backend)
    return outcome


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
            raise_failed(_delete_keys(backend, batch))
            batch = []
    raise_failed(_delete_keys(backend, batch))


def _delete_keys(backend: S3Backend, keys: Sequence[str]) -> dict[str, BaseException | None]:
    if not keys:
        return {}
    response = backend._run(None, _ops.call("delete_objects", **delete_args(backend._bucket, keys)))
    return delete_outcome(keys, response, backend.name)


def raise_failed(outcome: Mapping[str, BaseException | None]) -> None:
    for error in outcome.values():
        if error is not None:
            raise error
