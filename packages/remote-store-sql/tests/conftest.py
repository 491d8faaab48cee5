"""Fixtures: SQLite files, and the PostgreSQL 15 / MariaDB 10.11 servers of the machine.

Every backend gets its own table (random suffix) and every table is dropped at the end,
so concurrent runs on the same servers cannot collide. MariaDB's ``max_allowed_packet``
is raised to 256 MiB once per session: at the 16 MiB default PyMySQL cannot send a
10 MB blob.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from remote_store_conformance.servers import server_missing
from remote_store_sql import SQLBlobBackend

PG_URL = os.environ.get("RS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MARIADB_URL = os.environ.get("RS_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
MAX_ALLOWED_PACKET = 268435456

Factory = Callable[..., SQLBlobBackend]


def table_name() -> str:
    """A table name no other run uses."""
    return f"rs_test_{uuid.uuid4().hex[:12]}"


def _server_engine(url: str, label: str) -> sa.Engine:
    engine = sa.create_engine(url, pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(1))
    except Exception as exc:
        engine.dispose()
        server_missing(f"{label} is not reachable at {engine.url!r}: {type(exc).__name__}")
    return engine


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[sa.Engine]:
    """An engine on the PostgreSQL server (skips, or fails under CI, when it is missing)."""
    engine = _server_engine(PG_URL, "PostgreSQL")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def mariadb_engine() -> Iterator[sa.Engine]:
    """An engine on the MariaDB server with max_allowed_packet raised for large blobs."""
    engine = _server_engine(MARIADB_URL, "MariaDB")
    with engine.connect() as conn:
        current = conn.execute(sa.text("SELECT @@GLOBAL.max_allowed_packet")).scalar_one()
        if int(current) < MAX_ALLOWED_PACKET:
            conn.execute(sa.text(f"SET GLOBAL max_allowed_packet={MAX_ALLOWED_PACKET}"))
    engine.dispose()  # new connections pick up the new global value
    yield engine
    engine.dispose()


class Tables:
    """Creates backends on fresh tables and drops every table at teardown."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.names: list[str] = []
        self.backends: list[SQLBlobBackend] = []

    def __call__(self, **options: Any) -> SQLBlobBackend:
        name = options.pop("table_name", None) or table_name()
        self.names.append(name)
        backend = SQLBlobBackend(engine=self.engine, table_name=name, **options)
        self.backends.append(backend)
        return backend

    def drop_all(self) -> None:
        for backend in self.backends:
            backend.close()
        metadata = sa.MetaData()
        for name in self.names:
            sa.Table(name, metadata).drop(self.engine, checkfirst=True)


@pytest.fixture
def pg_backend_factory(pg_engine: sa.Engine) -> Iterator[Factory]:
    tables = Tables(pg_engine)
    yield tables
    tables.drop_all()


@pytest.fixture
def mariadb_backend_factory(mariadb_engine: sa.Engine) -> Iterator[Factory]:
    tables = Tables(mariadb_engine)
    yield tables
    tables.drop_all()


@pytest.fixture
def sqlite_backend_factory(tmp_path: Path) -> Iterator[Factory]:
    backends: list[SQLBlobBackend] = []

    def make(**options: Any) -> SQLBlobBackend:
        url = options.pop("url", None) or f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.db"
        backend = SQLBlobBackend(url, **options)
        backends.append(backend)
        return backend

    yield make
    for backend in backends:
        backend.close()


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def backend_factory(request: pytest.FixtureRequest) -> Factory:
    """The same test on SQLite, PostgreSQL and MariaDB."""
    fixture = {
        "sqlite": "sqlite_backend_factory",
        "postgresql": "pg_backend_factory",
        "mariadb": "mariadb_backend_factory",
    }[request.param]
    factory: Factory = request.getfixturevalue(fixture)
    return factory
