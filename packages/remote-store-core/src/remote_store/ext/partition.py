"""Hive-style partition paths (``key=value/.../filename``): build and parse them.

Keys and values are escaped so that any string survives the round trip: ``%``, ``/``,
``=``, ``\\`` and control characters are percent-encoded (``/`` becomes ``%2F``) when a
path is built, and decoded when it is parsed. remote-store 0.27 did not escape, so a
value holding ``/`` silently produced extra folders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from remote_store._path import RemotePath
from remote_store.errors import InvalidArgument

__all__ = ["ParsedPartition", "parse_partition", "partition_path"]

_NEEDS_ESCAPE = frozenset("%/=\\\x7f") | frozenset(chr(c) for c in range(0x20))


@dataclass(frozen=True, slots=True)
class ParsedPartition:
    """The partitions of a Hive path, in path order, and the rest of the path."""

    partitions: Mapping[str, str] = field(default_factory=dict)
    filename: str = ""


def escape_partition_part(text: str) -> str:
    """Percent-encode the characters that would break a ``key=value`` path segment."""
    if not any(char in _NEEDS_ESCAPE for char in text):
        return text
    return "".join(f"%{ord(char):02X}" if char in _NEEDS_ESCAPE else char for char in text)


def unescape_partition_part(text: str) -> str:
    """Inverse of :func:`escape_partition_part`."""
    return unquote(text) if "%" in text else text


def partition_path(filename: str, /, **partitions: object) -> str:
    """``k1=v1/k2=v2/filename`` with keys in argument order and values escaped.

    Values are converted with ``str()``. An empty key, an empty value or an empty
    ``filename`` raises :class:`~remote_store.errors.InvalidArgument` (a ``ValueError``).
    """
    if not isinstance(filename, str) or not filename.strip("/"):
        raise InvalidArgument("partition filename must be a non-empty str")
    segments = []
    for key, value in partitions.items():
        text = value if isinstance(value, str) else str(value)
        if not key:
            raise InvalidArgument("partition key must not be empty")
        if not text:
            raise InvalidArgument(f"partition value for {key!r} must not be empty")
        segments.append(f"{escape_partition_part(key)}={escape_partition_part(text)}")
    segments.append(filename.strip("/"))
    return "/".join(segments)


def parse_partition(path: str | RemotePath) -> ParsedPartition:
    """Split a path into its leading ``key=value`` segments and the remainder.

    Parsing stops at the first segment that is not ``key=value``; that segment and
    everything after it form ``filename``. Escaped keys and values are decoded.
    """
    if not isinstance(path, (str, RemotePath)):
        raise InvalidArgument(f"path must be a str, not {type(path).__name__}")
    segments = [segment for segment in str(path).replace("\\", "/").split("/") if segment]
    partitions: dict[str, str] = {}
    index = 0
    for index, segment in enumerate(segments):  # noqa: B007
        key, sep, value = segment.partition("=")
        if not sep or not key or not value:
            break
        partitions[unescape_partition_part(key)] = unescape_partition_part(value)
    else:
        index = len(segments)
    return ParsedPartition(partitions, "/".join(segments[index:]))
