"""Writes that always come back with a client-side digest, whatever the backend reports.

The content is hashed while it streams to the store, so nothing is buffered in memory
(remote-store 0.27 buffered the whole file when ``metadata`` was given). The returned
:class:`~remote_store.WriteResult` carries the client-side ``digest``; its ``source`` stays
``"native"`` when the backend filled the other fields from its write response and is
``"sidecar"`` otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, BinaryIO, cast

from remote_store._models import ContentDigest, WriteResult, WriteSource
from remote_store._store import Store
from remote_store._streams import WritableContent
from remote_store.ext._hashing import new_hash
from remote_store.ext.streams import ChecksumReader, ChecksumWriter

__all__ = ["HashingAtomicWriter", "open_atomic_with_hash", "with_digest", "write_with_hash"]


def with_digest(result: WriteResult, algorithm: str, hexdigest: str) -> WriteResult:
    """``result`` with the client-side digest filled in."""
    source: WriteSource = "native" if result.source == "native" else "sidecar"
    return dataclasses.replace(result, digest=ContentDigest(algorithm, hexdigest), source=source)


def write_with_hash(
    store: Store,
    path: str,
    content: WritableContent,
    *,
    algorithm: str = "sha256",
    overwrite: bool = False,
    metadata: Mapping[str, str] | None = None,
) -> WriteResult:
    """``store.write`` that hashes the content on its way and returns the digest."""
    hasher = new_hash(algorithm)
    if isinstance(content, (bytes, bytearray, memoryview)):
        hasher.update(content)
        result = store.write(path, content, overwrite=overwrite, metadata=metadata)
        return with_digest(result, hasher.name, hasher.hexdigest())
    reader = ChecksumReader(content, algorithm)
    reader._closes_inner = False  # the caller's stream stays open
    result = store.write(path, cast(BinaryIO, reader), overwrite=overwrite, metadata=metadata)
    return with_digest(result, reader.algorithm, reader.hexdigest())


class HashingAtomicWriter(ChecksumWriter):
    """The stream :func:`open_atomic_with_hash` yields: hashes what is written.

    ``result`` is the :class:`~remote_store.WriteResult` (with ``digest``) once the
    ``with`` block has exited cleanly; ``None`` before that or after a failure. Closing
    this writer does not close the atomic stream under it: the commit does.
    """

    def __init__(self, inner: IO[bytes] | BinaryIO, algorithm: str = "sha256") -> None:
        super().__init__(inner, algorithm)
        self.result: WriteResult | None = None

    _closes_inner = False


@contextmanager
def open_atomic_with_hash(
    store: Store,
    path: str,
    *,
    algorithm: str = "sha256",
    overwrite: bool = False,
    metadata: Mapping[str, str] | None = None,
) -> Iterator[HashingAtomicWriter]:
    """Like ``store.open_atomic``, yielding a :class:`HashingAtomicWriter`.

    The bytes stream into the store's atomic writer (a temporary file or spool), never
    into a buffer held here, with or without ``metadata``.
    """
    new_hash(algorithm)  # refuse an unknown algorithm before any I/O
    context = store.open_atomic(path, overwrite=overwrite, metadata=metadata)
    with context as stream:
        writer = HashingAtomicWriter(stream, algorithm)
        yield writer
        writer.flush()
    assert context.result is not None
    writer.result = with_digest(context.result, writer.algorithm, writer.hexdigest())
