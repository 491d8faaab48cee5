"""``pytest --rs-conformance=sql-query`` certifies the read-only backend on SQLite; the
read rules' files are rows of fresh tables, registered by a seeding callable."""

from __future__ import annotations

from pathlib import Path

import pytest
from remote_store_conformance.oneshot import QUICK, certify_from_command_line, describe

HERE = Path(__file__).parent

#: A whole certification run in a subprocess: longer than a unit test.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]

SEEDER = '''
"""Each call: a fresh table holding the files, one registered query per key."""
import uuid

import sqlalchemy as sa
from cell_serializer import CellSerializer
from remote_store_sql_query import SQLQueryBackend

URL = {url!r}
ENGINE = sa.create_engine(URL)



def seeded(files):
    table = sa.Table(
        f"rs_kit_{{uuid.uuid4().hex[:12]}}",
        sa.MetaData(),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    table.create(ENGINE)
    if files:
        with ENGINE.begin() as conn:
            conn.execute(table.insert(), [{{"key": k, "data": v}} for k, v in files.items()])
    queries = {{
        key: sa.select(table.c.data).where(table.c.key == sa.bindparam("k", key))
        for key in files
    }}
    return SQLQueryBackend(engine=ENGINE, queries=queries, serializer=CellSerializer())
'''


def test_one_command_certifies_sql_query(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kit.db"
    (tmp_path / "kit_sql_seed.py").write_text(SEEDER.format(url=url))
    run = certify_from_command_line(
        "sql-query",
        {"url": url, "queries": {}},
        tmp_path,
        *QUICK,
        "--rs-seeded-factory=kit_sql_seed:seeded",
        env={"PYTHONPATH": str(HERE)},
    )
    assert run.certified, describe(run)
