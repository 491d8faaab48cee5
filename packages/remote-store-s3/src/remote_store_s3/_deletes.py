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


def delete_many(
    backend: S3Backend, keys: Sequence[str], *, missing_ok: bool
) -> dict[str, BaseException | None]:
    """Delete up to 1000 files: concurrent HEADs, then one DeleteObjects request."""
    probe = backend._run(None, _ops.probe_many(backend._bucket, list(keys)))
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
