"""The kit certifies the read-only sql-query backend on SQLite and on PostgreSQL.

Seeding is honest: every seeded file is a row of a fresh table (its own name per call,
content inserted through bound parameters), and each key is registered as a query
selecting that row's BLOB. A test-only serializer, passed through the backend's public
``serializer`` option, writes a result of exactly one BLOB cell as the file's bytes; the
kit's keys end in ``.txt`` and ``.bin``, so those are its suffixes. Every read, listing
and file info therefore runs real SQL through the backend's real code paths.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
import sqlalchemy as sa
from remote_store_conformance import BackendConformance
from remote_store_conformance.servers import server_missing
from remote_store_sql_query import SQLQueryBackend

from .cell_serializer import CellSerializer
from .conftest import PG_URL

Seeded = Callable[[Mapping[str, bytes]], SQLQueryBackend]


def _seeded_factory(engine: sa.Engine) -> Iterator[Seeded]:
    """``seed(files)``: a fresh table holding ``files`` and a backend with one query a key."""
    tables: list[sa.Table] = []
    made: list[SQLQueryBackend] = []

    def seeded(files: Mapping[str, bytes]) -> SQLQueryBackend:
        table = sa.Table(
            f"rs_kit_{uuid.uuid4().hex[:12]}",
            sa.MetaData(),
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("data", sa.LargeBinary, nullable=False),
        )
        table.create(engine)
        tables.append(table)
        if files:
            with engine.begin() as conn:
                conn.execute(table.insert(), [{"key": k, "data": v} for k, v in files.items()])
        queries: dict[str, str | sa.Executable] = {
            key: sa.select(table.c.data).where(table.c.key == sa.bindparam("k", key))
            for key in files
        }
        backend = SQLQueryBackend(engine=engine, queries=queries, serializer=CellSerializer())
        made.append(backend)
        return backend

    yield seeded
    for backend in made:
        backend.close()
    for table in tables:
        table.drop(engine, checkfirst=True)


class _SQLQueryConformance(BackendConformance):
    backend_type = "sql-query"

    @pytest.fixture
    def rs_backend_factory(
        self, rs_seeded_backend_factory: Seeded
    ) -> Callable[[], SQLQueryBackend]:
        return lambda: rs_seeded_backend_factory({})


class TestSQLiteConformance(_SQLQueryConformance):
    @pytest.fixture
    def rs_seeded_backend_factory(self, tmp_path: Path) -> Iterator[Seeded]:
        engine = sa.create_engine(f"sqlite:///{tmp_path}/kit.db")
        try:
            yield from _seeded_factory(engine)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def postgres_engine() -> Iterator[sa.Engine]:
    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(1))
    except Exception as exc:
        engine.dispose()
        server_missing(f"PostgreSQL is not reachable: {type(exc).__name__}")
    yield engine
    engine.dispose()


class TestPostgreSQLConformance(_SQLQueryConformance):
    @pytest.fixture
    def rs_seeded_backend_factory(self, postgres_engine: sa.Engine) -> Iterator[Seeded]:
        yield from _seeded_factory(postgres_engine)
