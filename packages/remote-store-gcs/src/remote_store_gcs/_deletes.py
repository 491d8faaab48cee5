"""Deletes of many keys: JSON API batch requests (100 deletes each) and a folder's keys."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from remote_store.backend import DirectoryNotEmpty, InvalidPath, NotFound, RemoteStoreError

from remote_store_gcs._errors import classify
from remote_store_gcs._listing import pages

if TYPE_CHECKING:
    from remote_store_gcs._backend import GCSBackend

__all__ = ["BATCH_LIMIT", "delete_folder", "delete_many"]

#: The most calls one batch request may carry.
BATCH_LIMIT = 100

_PART_ID = re.compile(rb"content-id:\s*<response-(\d+)>", re.IGNORECASE)
_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)? (\d{3})", re.MULTILINE)


class _Status(Exception):
    """One sub-response's status, kept for classification."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.response = type("Sub", (), {"status_code": status, "json": lambda self: None})()


def delete_many(
    backend: GCSBackend, keys: Sequence[str], *, missing_ok: bool
) -> dict[str, BaseException | None]:
    """Delete files with batch requests; 404s are told apart from folders afterwards."""
    outcome: dict[str, BaseException | None] = {}
    for group in _groups(keys):
        for key, status in _delete_batch(backend, group).items():
            if status < 300:
                outcome[key] = None
            elif status == 404:
                if backend.is_folder(key):
                    outcome[key] = InvalidPath("not a file", path=key, backend=backend.name)
                else:
                    outcome[key] = (
                        None
                        if missing_ok
                        else NotFound("file not found", path=key, backend=backend.name)
                    )
            else:
                outcome[key] = classify(_Status(status), key, backend.name)
    return outcome


def delete_folder(backend: GCSBackend, path: str, *, recursive: bool, missing_ok: bool) -> None:
    """One flat listing; its keys are deleted 100 per batch request as it streams."""
    prefix = path + "/" if path else ""
    keys = (
        item["name"]
        for page in pages(backend, path, prefix=prefix, delimiter=False)
        for item in page.get("items", ())
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
    for group in _groups(_chain(first, keys)):
        for key, status in _delete_batch(backend, group).items():
            if status >= 300 and status != 404:  # 404: gone already (confirmed alone)
                raise classify(_Status(status), key, backend.name)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _groups(keys: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(keys)
    while group := list(islice(iterator, BATCH_LIMIT)):
        yield group


def _delete_batch(backend: GCSBackend, keys: list[str]) -> Mapping[str, int]:
    """One batch request of DELETEs; the status of each key's sub-response."""
    boundary = os.urandom(16).hex()
    parts = []
    for number, key in enumerate(keys):
        path = backend._object_path(key)
        parts.append(
            f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <{number}>\r\n\r\n"
            f"DELETE {path} HTTP/1.1\r\n\r\n\r\n"
        )
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    response = backend._request(
        "POST",
        backend._batch_url(),
        None,
        headers={"Content-Type": f"multipart/mixed; boundary={boundary}"},
        data=body,
        idempotent=True,
    )
    statuses = _parse(response.content, response.headers.get("Content-Type", ""))
    missing = [key for n, key in enumerate(keys) if n not in statuses]
    if missing:
        raise RemoteStoreError(
            f"the batch response has no answer for {len(missing)} deletes",
            path=missing[0],
            backend=backend.name,
        )
    return {key: _confirm(backend, key, statuses[n]) for n, key in enumerate(keys)}


def _confirm(backend: GCSBackend, key: str, status: int) -> int:
    """A sub-request refused as malformed (400) or missing (404) is redone alone.

    Some servers mishandle escaped names inside a batch (fake-gcs-server answers 400
    for ``a%20b`` and 404 for ``a%2Fb``); a lone DELETE decides, so no file is reported
    deleted or missing that is not.
    """
    if status not in (400, 404):
        return status
    try:
        backend._request("DELETE", backend._url(key), key)
    except NotFound:
        return 404
    return 204


def _parse(content: bytes, content_type: str) -> dict[int, int]:
    """``{part number: HTTP status}`` from a ``multipart/mixed`` batch response."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        return {}
    statuses: dict[int, int] = {}
    for part in content.split(b"--" + match.group(1).encode()):
        found, status = _PART_ID.search(part), _STATUS.search(part)
        if found and status:
            statuses[int(found.group(1))] = int(status.group(1))
    return statuses
