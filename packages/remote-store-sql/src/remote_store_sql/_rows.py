"""Rows and models of sql-blob: the columns a :class:`FileInfo` is read from and how
their values decode, and the values a write stores."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from remote_store.backend import ContentDigest, FileInfo, RemotePath, WriteResult

__all__ = [
    "file_info",
    "info_columns",
    "new_etag",
    "parse_digest",
    "parse_extra",
    "to_datetime",
    "write_result",
    "write_values",
]

_INFO = ("modified_at", "content_type", "digest", "extra", "user_metadata", "etag")


def info_columns(table: sa.Table) -> list[sa.ColumnElement[Any]]:
    """What :func:`file_info` reads: the key, the data's length and the optional columns."""
    return [
        table.c.key,
        sa.func.length(table.c.data).label("length"),
        *(table.c[name] for name in _INFO if name in table.c),
    ]


def file_info(row: sa.Row[Any], with_metadata: bool) -> FileInfo:
    """A row of :func:`info_columns`; ``with_metadata``: the table has ``user_metadata``."""
    values = row._mapping
    metadata: dict[str, str] | None = None
    if with_metadata:
        raw = values.get("user_metadata")
        metadata = dict(json.loads(raw)) if raw else {}
    key: str = values["key"]
    return FileInfo(
        path=RemotePath._trusted(key),
        name=key.rpartition("/")[2],
        size=int(values["length"] or 0),
        modified_at=to_datetime(values.get("modified_at")),
        digest=parse_digest(values.get("digest")),
        content_type=values.get("content_type"),
        etag=values.get("etag"),
        metadata=metadata,
        extra=parse_extra(values.get("extra")),
    )


def write_values(table: sa.Table, now: float, metadata: Mapping[str, str] | None) -> dict[str, Any]:
    """The optional columns a write sets (``modified_at``, ``user_metadata``, a new
    ``etag``)."""
    values: dict[str, Any] = {}
    if "etag" in table.c:
        values["etag"] = new_etag()
    if "modified_at" in table.c:
        values["modified_at"] = now
    if "user_metadata" in table.c:
        values["user_metadata"] = json.dumps(dict(metadata)) if metadata else None
    return values


def new_etag() -> str:
    """A fresh etag: random, so no two versions of a key ever share one."""
    return uuid.uuid4().hex


def write_result(
    path: str,
    size: int,
    values: Mapping[str, Any],
    metadata: Mapping[str, str] | None,
    native: bool,
) -> WriteResult:
    """What a write reports from the ``values`` of :func:`write_values`; ``native``: the
    table has ``modified_at``, so the result gives what was stored."""
    if not native:
        return WriteResult(path=path, size=size)
    return WriteResult(
        path=path,
        size=size,
        source="native",
        etag=values.get("etag"),
        last_modified=to_datetime(values["modified_at"]),
        metadata=dict(metadata) if metadata else None,
    )


def to_datetime(value: Any) -> datetime | None:
    """A ``modified_at`` epoch value as an aware UTC datetime."""
    if value is None:
        return None
    return datetime.fromtimestamp(float(value), UTC)


def parse_digest(value: str | None) -> ContentDigest | None:
    """A ``digest`` column value (``algorithm:hex``); anything else is ignored."""
    if not value or ":" not in value:
        return None
    algorithm, _, hex_value = value.partition(":")
    try:
        return ContentDigest(algorithm, hex_value)
    except ValueError:
        return None


def parse_extra(value: str | None) -> dict[str, Any]:
    """The ``extra`` column: a JSON object, else kept as ``{"extra": text}``."""
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {"extra": value}
    return parsed if isinstance(parsed, dict) else {"extra": parsed}
