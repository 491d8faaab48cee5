"""A fast parser for ListObjectsV2 pages, hooked into the client ahead of botocore's.

botocore parses every listed object through its generic shape walker and parses each
timestamp with dateutil: about 70 us of client CPU per object, more than moto needs to
serve it. The hook reads the page with ElementTree's C parser, builds the ``Contents`` and
``CommonPrefixes`` entries itself and hands botocore the page without them, so botocore
parses only the page's few top-level fields and its own after-call handlers (the URL
decoding of keys) still run on the entries. A page holding any element this module does
not know is left to botocore whole: the parsed page is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from botocore.utils import parse_timestamp, tzutc

__all__ = ["install"]

_EVENT = "before-parse.s3.ListObjectsV2"
_UTC = tzutc()


def install(client: Any) -> None:
    """Parse this client's ListObjectsV2 responses with :func:`parse_page` (idempotent)."""
    client.meta.events.register(_EVENT, parse_page, unique_id="remote-store-list-parser")


def parse_page(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    """botocore's ``before-parse`` hook: move a 200 page's entries into the customized dict."""
    if response_dict.get("status_code") != 200:
        return
    try:
        root = ElementTree.fromstring(response_dict["body"])
    except (ElementTree.ParseError, KeyError, TypeError):
        return  # botocore reports what it makes of it
    contents: list[dict[str, Any]] = []
    prefixes: list[dict[str, Any]] = []
    kept: list[ElementTree.Element] = []  # the page's top-level fields, for botocore
    for element in root:
        tag = _local(element.tag)
        if tag == "Contents":
            item = _fields(element, _OBJECT_FIELDS)
            if item is None:
                return
            contents.append(item)
        elif tag == "CommonPrefixes":
            item = _fields(element, _PREFIX_FIELDS)
            if item is None:
                return
            prefixes.append(item)
        else:
            kept.append(element)
    root[:] = kept
    response_dict["body"] = ElementTree.tostring(root)
    if contents:
        customized_response_dict["Contents"] = contents
    if prefixes:
        customized_response_dict["CommonPrefixes"] = prefixes


def _fields(
    element: ElementTree.Element, known: dict[str, Callable[[str], Any]]
) -> dict[str, Any] | None:
    """One entry as botocore shapes it, or ``None`` when it holds an unknown element."""
    item: dict[str, Any] = {}
    for child in element:
        name = _local(child.tag)
        convert = known.get(name)
        if convert is None or len(child):
            return None
        try:
            value = convert(child.text or "")
        except ValueError:
            return None
        if name in _LIST_FIELDS:
            item.setdefault(name, []).append(value)
        else:
            item[name] = value
    return item


def _timestamp(text: str) -> datetime:
    """S3's ISO 8601 timestamps without dateutil; anything unusual goes to botocore's parser."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return parse_timestamp(text)  # type: ignore[no-any-return]
    offset = value.utcoffset()
    if offset is None or offset:
        return parse_timestamp(text)  # type: ignore[no-any-return]
    return value.replace(tzinfo=_UTC)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


_OBJECT_FIELDS: dict[str, Callable[[str], Any]] = {
    "Key": str,
    "LastModified": _timestamp,
    "ETag": str,
    "ChecksumAlgorithm": str,
    "ChecksumType": str,
    "Size": int,
    "StorageClass": str,
}
_PREFIX_FIELDS: dict[str, Callable[[str], Any]] = {"Prefix": str}
_LIST_FIELDS = frozenset({"ChecksumAlgorithm"})
