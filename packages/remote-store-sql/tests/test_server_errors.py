"""Errors the database servers really raise come out typed: a read-only account's write is
PermissionDenied on PostgreSQL, MariaDB and a read-only SQLite file, and nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from remote_store import Store
from remote_store.errors import PermissionDenied
from remote_store_sql import SQLBlobBackend

from .conftest import Factory


def _read_only_round(owner: SQLBlobBackend, reader: SQLBlobBackend) -> dict[str, str]:
    """What the reader got for each operation (the error's type name, or "ok"); the owner's
    data must be unchanged afterwards."""
    Store(owner).write("kept.txt", b"old")
    store = Store(reader)
    attempts: dict[str, Callable[[], object]] = {
        "read": lambda: store.read_bytes("kept.txt"),
        "write": lambda: store.write("new.txt", b"x"),
        "overwrite": lambda: store.write("kept.txt", b"new", overwrite=True),
        "delete": lambda: store.delete("kept.txt"),
    }
    outcomes: dict[str, str] = {}
    for name, attempt in attempts.items():
        try:
            attempt()
            outcomes[name] = "ok"
        except Exception as exc:
            outcomes[name] = type(exc).__name__
    assert Store(owner).read_bytes("kept.txt") == b"old"
    assert not Store(owner).exists("new.txt")
    return outcomes


REFUSED = {
    "read": "ok",
    "write": PermissionDenied.__name__,
    "overwrite": PermissionDenied.__name__,
    "delete": PermissionDenied.__name__,
}


def _read_only_round_as(owner: SQLBlobBackend, url: sa.URL) -> dict[str, str]:
    """:func:`_read_only_round` with a reader that connects as another account."""
    engine = sa.create_engine(url)
    try:
        with SQLBlobBackend(
            engine=engine, table_name=owner._table_name, create_table=False
        ) as reader:
            return _read_only_round(owner, reader)
    finally:
        engine.dispose()


@pytest.fixture
def pg_reader_role(pg_engine: sa.Engine) -> Iterator[str]:
    role = f"rs_reader_{uuid.uuid4().hex[:10]}"
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
    yield role
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"DROP OWNED BY {role}"))
        conn.execute(sa.text(f"DROP ROLE {role}"))


def test_postgresql_read_only_role_gets_permission_denied(
    pg_engine: sa.Engine, pg_backend_factory: Factory, pg_reader_role: str
) -> None:
    owner = pg_backend_factory()
    table = owner._table_name
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"GRANT SELECT ON {table} TO {pg_reader_role}"))
    assert _read_only_round_as(owner, pg_engine.url.set(username=pg_reader_role)) == REFUSED


@pytest.fixture
def mariadb_reader_user(mariadb_engine: sa.Engine) -> Iterator[str]:
    user = f"rs_ro_{uuid.uuid4().hex[:10]}"
    with mariadb_engine.begin() as conn:
        conn.execute(sa.text(f"CREATE USER '{user}'@'127.0.0.1'"))
    yield user
    with mariadb_engine.begin() as conn:
        conn.execute(sa.text(f"DROP USER '{user}'@'127.0.0.1'"))


def test_mariadb_read_only_user_gets_permission_denied(
    mariadb_engine: sa.Engine, mariadb_backend_factory: Factory, mariadb_reader_user: str
) -> None:
    owner = mariadb_backend_factory()
    table = owner._table_name
    database = mariadb_engine.url.database
    with mariadb_engine.begin() as conn:
        conn.execute(
            sa.text(f"GRANT SELECT ON {database}.{table} TO '{mariadb_reader_user}'@'127.0.0.1'")
        )
    reader_url = mariadb_engine.url.set(username=mariadb_reader_user, password="")
    assert _read_only_round_as(owner, reader_url) == REFUSED


def test_sqlite_read_only_file_gets_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    owner = SQLBlobBackend(f"sqlite:///{path}")
    reader = SQLBlobBackend(f"sqlite:///file:{path}?mode=ro&uri=true", create_table=False)
    try:
        assert _read_only_round(owner, reader) == REFUSED
    finally:
        reader.close()
        owner.close()
