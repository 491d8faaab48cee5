"""Pickle audit: a sql-query store built from a URL travels and answers when spawned."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from remote_store import Store
from remote_store_conformance.pickling import audit_pickle, spawned_round_trip
from remote_store_sql_query import SQLQueryBackend

from .conftest import _fill


def test_store_pickles_and_queries_when_spawned(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/q.db"
    engine = sa.create_engine(url)
    _fill(engine, "people")
    engine.dispose()
    store = Store(SQLQueryBackend(url, queries={"people.csv": "SELECT * FROM people"}))
    local = store.read_bytes("people.csv")  # the engine exists now
    content, listed = spawned_round_trip(audit_pickle(store), "people.csv", write=False)
    assert content == local and listed == ["people.csv"]
    store.close()
