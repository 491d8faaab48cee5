"""``pytest --rs-conformance=sql-blob`` certifies the backend on SQLite, PostgreSQL and
MariaDB (one shared table per server run; SQLite: a fresh file per backend)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from remote_store_conformance.oneshot import QUICK, certify_from_command_line, describe

from .conftest import MARIADB_URL, PG_URL

#: A whole certification run in a subprocess: longer than a unit test.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]


def test_one_command_certifies_sql_blob_on_sqlite(tmp_path: Path) -> None:
    run = certify_from_command_line("sql-blob", {"url": "sqlite:///{tmp}/kit.db"}, tmp_path, *QUICK)
    assert run.certified, describe(run)


@pytest.mark.parametrize(
    ("url", "engine_fixture"), [(PG_URL, "pg_engine"), (MARIADB_URL, "mariadb_engine")]
)
def test_one_command_certifies_sql_blob_on_a_server(
    url: str, engine_fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    engine: sa.Engine = request.getfixturevalue(engine_fixture)  # skips without the server
    table = f"kit_cli_{uuid.uuid4().hex[:12]}"
    try:
        run = certify_from_command_line(
            "sql-blob", {"url": url, "table_name": table}, tmp_path, *QUICK
        )
        assert run.certified, describe(run)
    finally:
        sa.Table(table, sa.MetaData()).drop(engine, checkfirst=True)
