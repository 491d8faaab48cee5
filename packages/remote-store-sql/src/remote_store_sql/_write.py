"""The write path of sql-blob: rows bound at execution, the upsert of each dialect, and a
stream written in pieces so that a large blob never sits whole in memory."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import sqlalchemy as sa
from remote_store.backend import CHUNK_SIZE, WritableContent, iter_content
from remote_store.errors import ConfigError

__all__ = ["APPEND_PIECE", "bind_row", "first_part", "spool", "upsert", "write_rest"]

#: Bytes appended per statement when a stream is written (PyMySQL escapes each piece into
#: the query text, making several copies: keep it small).
APPEND_PIECE = 2 * 2**20


def bind_row(
    table: sa.Table, path: str, values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row to insert and its parameters. Values are bound at execution, so no cached
    statement keeps the content alive; SQL expressions (``zeroblob``) stay inline."""
    params: dict[str, Any] = {"v_key": path}
    row: dict[str, Any] = {"key": sa.bindparam("v_key", type_=table.c.key.type)}
    for name, value in values.items():
        if isinstance(value, sa.ClauseElement):
            row[name] = value
        else:
            params[f"v_{name}"] = value
            row[name] = sa.bindparam(f"v_{name}", type_=table.c[name].type)
    return row, params


def upsert(table: sa.Table, dialect: str, row: dict[str, Any]) -> sa.Executable:
    """One ``INSERT ... ON CONFLICT/DUPLICATE KEY UPDATE`` statement."""
    names = [name for name in row if name != "key"]
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        my = mysql_insert(table).values(row)
        return my.on_duplicate_key_update({n: my.inserted[n] for n in names})
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(table).values(row)
        return pg.on_conflict_do_update(
            index_elements=[table.c.key], set_={n: pg.excluded[n] for n in names}
        )
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite = sqlite_insert(table).values(row)
        return lite.on_conflict_do_update(
            index_elements=[table.c.key], set_={n: lite.excluded[n] for n in names}
        )
    raise ConfigError(f"sql-blob does not support the {dialect!r} dialect")


@contextmanager
def spool(
    content: WritableContent, max_size: int | None, too_large: Callable[[int], Exception]
) -> Iterator[tuple[IO[bytes], int]]:
    """The stream copied to a spool (1 MiB in memory, then a temporary file) and its size.

    Beyond ``max_size`` bytes, ``too_large(total)`` is raised while copying, before the
    database is touched."""
    with tempfile.SpooledTemporaryFile(max_size=2**20) as spooled:
        total = 0
        for chunk in iter_content(content):
            total += len(chunk)
            if max_size is not None and total > max_size:
                raise too_large(total)
            spooled.write(chunk)
        spooled.seek(0)
        yield spooled, total


def first_part(dialect: str, spooled: IO[bytes], size: int) -> Any:
    """The ``data`` of the row a spooled stream is first inserted with: SQLite reserves
    the whole blob (``zeroblob``), the others take the first piece."""
    if dialect == "sqlite":
        return sa.func.zeroblob(size)
    return spooled.read(APPEND_PIECE)


def write_rest(
    conn: sa.Connection,
    table: sa.Table,
    key: sa.ColumnElement[str],
    dialect: str,
    path: str,
    spooled: IO[bytes],
) -> None:
    """Write what :func:`first_part` left of ``spooled`` into the row of ``path``."""
    if dialect == "sqlite":  # fill the reserved blob in place
        rowid: int = conn.execute(
            sa.select(sa.literal_column("rowid")).select_from(table).where(key == path)
        ).scalar_one()
        raw: Any = conn.connection.driver_connection
        with raw.blobopen(table.name, "data", rowid) as blob:
            while chunk := spooled.read(CHUNK_SIZE):
                blob.write(chunk)
        return
    data, piece = table.c.data, sa.bindparam("piece", type_=sa.LargeBinary)
    appended = (
        sa.func.concat(data, piece) if dialect in ("mysql", "mariadb") else data.op("||")(piece)
    )
    # the piece is bound at execution: the statement never holds the bytes
    append = sa.update(table).where(key == path).values(data=appended)
    while chunk := spooled.read(APPEND_PIECE):
        conn.execute(append, {"piece": chunk})
