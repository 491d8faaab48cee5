"""Errors the database servers really raise come out typed: a read-only account's write is
PermissionDenied on PostgreSQL, MariaDB and a read-only SQLite file, and nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from remote_store import Store
from remote_store.errors import PermissionDenied
from remote_store_sql import SQLBlobBackend

from .conftest import Factory


def _read_only_round(owner: SQLBlobBackend, reader: SQLBlobBackend) -> None:
    """The reader reads; its writes, overwrites and deletes are refused; nothing changes."""
    Store(owner).write("kept.txt", b"old")
    store = Store(reader)
    assert store.read_bytes("kept.txt") == b"old"
    with pytest.raises(PermissionDenied):
        store.write("new.txt", b"x")
    with pytest.raises(PermissionDenied):
        store.write("kept.txt", b"new", overwrite=True)
    with pytest.raises(PermissionDenied):
        store.delete("kept.txt")
    assert Store(owner).read_bytes("kept.txt") == b"old"
    assert not Store(owner).exists("new.txt")


def _read_only_round_as(owner: SQLBlobBackend, url: sa.URL) -> None:
    """:func:`_read_only_round` with a reader that connects as another account."""
    engine = sa.create_engine(url)
    try:
        with SQLBlobBackend(
            engine=engine, table_name=owner._table_name, create_table=False
        ) as reader:
            _read_only_round(owner, reader)
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
    _read_only_round_as(owner, pg_engine.url.set(username=pg_reader_role))


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
    _read_only_round_as(owner, mariadb_engine.url.set(username=mariadb_reader_user, password=""))


def test_sqlite_read_only_file_gets_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    owner = SQLBlobBackend(f"sqlite:///{path}")
    reader = SQLBlobBackend(f"sqlite:///file:{path}?mode=ro&uri=true", create_table=False)
    try:
        _read_only_round(owner, reader)
    finally:
        reader.close()
        owner.close()
