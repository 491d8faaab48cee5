"""Glob patterns over ``/``-separated keys, shared by every backend and ``ext.glob``.

``*`` matches within one segment, ``?`` one character of a segment, ``**/`` zero or more
whole segments, a trailing ``**`` everything below, ``[...]``/``[!...]`` a class.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from functools import lru_cache
from typing import Protocol

from remote_store._models import FileInfo
from remote_store.errors import InvalidArgument

__all__ = ["glob_by_listing", "literal_prefix", "translate_glob"]

_MAGIC = re.compile(r"[*?\[]")


@lru_cache(maxsize=256)
def translate_glob(pattern: str) -> re.Pattern[str]:
    """Compile a glob pattern to an anchored regular expression."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i):
                at_segment_start = i == 0 or pattern[i - 1] == "/"
                end = i + 2
                if not at_segment_start or (end < n and pattern[end] != "/"):
                    raise InvalidArgument(f"'**' must be a whole path segment: {pattern!r}")
                if end < n:  # "**/": zero or more whole segments
                    out.append("(?:[^/]+/)*")
                    i = end + 1
                else:  # trailing "**": everything below
                    out.append(".*")
                    i = end
                continue
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = close
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def literal_prefix(pattern: str) -> tuple[str, bool]:
    """The folder before the first wildcard, and whether matching needs recursion."""
    match = _MAGIC.search(pattern)
    if match is None:
        folder = pattern.rpartition("/")[0]
        return folder, False
    folder = pattern[: match.start()].rpartition("/")[0]
    rest = pattern[len(folder) + 1 if folder else 0 :]
    return folder, "/" in rest or "**" in rest


class _Lister(Protocol):
    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]: ...

    def is_folder(self, path: str) -> bool: ...


class _AsyncLister(Protocol):
    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> AsyncIterator[FileInfo]: ...

    async def is_folder(self, path: str) -> bool: ...


async def aglob_by_listing(backend: _AsyncLister, pattern: str) -> AsyncIterator[FileInfo]:
    """The async twin of :func:`glob_by_listing` (same semantics, awaited)."""
    regex = translate_glob(pattern)
    folder, recursive = literal_prefix(pattern)
    if folder and not await backend.is_folder(folder):
        return
    async for info in backend.list_files(folder, recursive=recursive):
        if regex.match(info.path._key):
            yield info


def glob_by_listing(backend: _Lister, pattern: str) -> Iterator[FileInfo]:
    """Glob by listing the literal prefix folder and matching each key."""
    regex = translate_glob(pattern)
    folder, recursive = literal_prefix(pattern)
    if folder and not backend.is_folder(folder):
        return
    for info in backend.list_files(folder, recursive=recursive):
        if regex.match(info.path._key):
            yield info
