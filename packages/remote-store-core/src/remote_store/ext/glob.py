"""Portable glob: the store's native ``glob`` when it has one, else a listing.

The fallback lists the folder before the first wildcard (recursively only when the
pattern needs it) and matches every key with the same translator the backends use
(:mod:`remote_store._glob`), so results agree whichever path is taken.
"""

from __future__ import annotations

from collections.abc import Iterator

from remote_store._capabilities import Capability
from remote_store._glob import glob_by_listing, translate_glob
from remote_store._models import FileInfo
from remote_store._store import Store
from remote_store.errors import InvalidArgument, InvalidPath

__all__ = ["glob_files"]


def glob_files(store: Store, pattern: str) -> Iterator[FileInfo]:
    """Files of ``store`` matching ``pattern`` (``*``, ``?``, ``**``, ``[...]``).

    Bad patterns (empty, ``..``, ``**x``) raise before anything is listed.
    """
    normalized = _normalize(pattern)
    translate_glob(normalized)
    if store.supports(Capability.GLOB):
        return store.glob(normalized)
    return glob_by_listing(store, normalized)


def _normalize(pattern: str) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise InvalidArgument("glob pattern must be a non-empty str")
    parts = [part for part in pattern.replace("\\", "/").split("/") if part and part != "."]
    if ".." in parts or "\x00" in pattern:
        raise InvalidPath("glob pattern must not contain '..' or NUL", path=pattern)
    if not parts:
        raise InvalidArgument("glob pattern must name something below the root")
    return "/".join(parts)
