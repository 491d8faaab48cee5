"""Fixtures: a SQLite file and the PostgreSQL server, each with its own ``people`` table."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from remote_store_conformance.servers import server_missing

PG_URL = os.environ.get("RS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROWS = 2_503  # more than two batches of 1000 rows


def _fill(engine: sa.Engine, table: str) -> None:
    people = sa.Table(
        table,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("score", sa.Float),
    )
    people.create(engine)
    with engine.begin() as conn:
        conn.execute(
            people.insert(),
            [{"id": i, "name": f"n{i}", "score": i / 4} for i in range(ROWS)],
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def people_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[sa.Engine, str]]:
    """An engine and the name of a filled ``people`` table, dropped afterwards."""
    table = f"rs_people_{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path}/q.db")
    else:
        engine = sa.create_engine(PG_URL)
        try:
            with engine.connect() as conn:
                conn.execute(sa.select(1))
        except Exception as exc:
            engine.dispose()
            server_missing(f"PostgreSQL is not reachable: {type(exc).__name__}")
    _fill(engine, table)
    yield engine, table
    sa.Table(table, sa.MetaData()).drop(engine, checkfirst=True)
    engine.dispose()
