"""Key-range conditions for sql-blob: a prefix query is a range, never a ``LIKE``.

The keys below folder ``a`` are ``'a/' <= key < 'a0'`` compared by code point (``'0'``
follows ``'/'``), so there are no wildcards to escape and no case folding on any database.
Listings page by key (keyset pagination), so no cursor stays open between pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

__all__ = ["PAGE", "ancestors", "in_folder", "page", "upper"]

PAGE = 500  # rows per listing query


def upper(prefix: str) -> str:
    """The first string after every key starting with ``prefix`` (which ends in ``/``)."""
    return prefix[:-1] + "0"


def in_folder(key: sa.ColumnElement[str], path: str) -> sa.ColumnElement[bool]:
    """Keys strictly below folder ``path`` (every key for the root)."""
    if path == "":
        return sa.true()
    prefix = path + "/"
    return sa.and_(key >= prefix, key < upper(prefix))


def ancestors(path: str) -> list[str]:
    """The folders above ``path``: ``["a", "a/b"]`` for ``"a/b/c"``."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def page(
    columns: Sequence[sa.ColumnElement[Any]],
    key: sa.ColumnElement[str],
    path: str,
    *,
    after: str | None,
    start: str | None,
) -> sa.Select[Any]:
    """One listing page below ``path`` in key order: keys ``> after`` and ``>= start``."""
    query = sa.select(*columns).where(in_folder(key, path))
    if after is not None:
        query = query.where(key > after)
    if start is not None:
        query = query.where(key >= start)
    return query.order_by(key).limit(PAGE)
