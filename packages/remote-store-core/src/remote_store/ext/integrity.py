"""Client-side checksums of stored files, whatever digests the backend offers.

Every function streams the file through :mod:`hashlib` in chunks, so files of any size
are hashed in bounded memory.
"""

from __future__ import annotations

import hmac

from remote_store._models import ContentDigest
from remote_store._store import Store
from remote_store._streams import CHUNK_SIZE
from remote_store.errors import InvalidArgument
from remote_store.ext._hashing import hexdigest_of, new_hash

__all__ = ["checksum", "content_digest", "verify", "verify_hex"]


def checksum(store: Store, path: str, algorithm: str = "sha256") -> tuple[str, str]:
    """``(algorithm, hex digest)`` of the file at ``path``."""
    hasher = new_hash(algorithm)
    with store.read(path) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            hasher.update(chunk)
    return hasher.name, hexdigest_of(hasher)


def content_digest(store: Store, path: str, algorithm: str = "sha256") -> ContentDigest:
    """The file's digest as a :class:`~remote_store.ContentDigest`."""
    name, value = checksum(store, path, algorithm)
    return ContentDigest(name, value)


def verify(
    store: Store, path: str, expected: str | ContentDigest, algorithm: str = "sha256"
) -> bool:
    """Whether the file's digest equals ``expected`` (hex, case-insensitive).

    ``expected`` may be a :class:`~remote_store.ContentDigest`, whose own algorithm is used.
    """
    if isinstance(expected, ContentDigest):
        return verify_hex(store, path, expected.algorithm, expected.value)
    return verify_hex(store, path, algorithm, expected)


def verify_hex(store: Store, path: str, algorithm: str, expected_hex: str) -> bool:
    """Whether the file's ``algorithm`` digest equals ``expected_hex`` (case-insensitive)."""
    if not isinstance(expected_hex, str) or not expected_hex.strip():
        raise InvalidArgument("expected digest must be a non-empty hex str")
    _, actual = checksum(store, path, algorithm)
    return hmac.compare_digest(actual.encode(), expected_hex.strip().lower().encode())
