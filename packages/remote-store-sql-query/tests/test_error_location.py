"""Errors name the caller's path and the database, never the password."""

from __future__ import annotations

import pickle

import pytest
import sqlalchemy as sa
from remote_store import Store
from remote_store.errors import NotFound
from remote_store_sql_query import SQLQueryBackend

PASSWORD = "LOCATION-SQLQ-PW-8830"


def test_an_error_names_the_path_and_database_without_the_password(
    people_db: tuple[sa.Engine, str],
) -> None:
    engine, table = people_db
    url = engine.url.set(password=PASSWORD) if engine.url.host else engine.url
    queries = {"people.csv": f"SELECT * FROM {table} ORDER BY id"}
    backend = SQLQueryBackend(url.render_as_string(hide_password=False), queries=queries)
    with Store(backend, "exports") as store, pytest.raises(NotFound) as info:
        store.read_bytes("./nobody.csv")
    error = info.value
    where = f"sql-query {engine.dialect.name}"
    if url.host:
        where += f" host {url.host + (f':{url.port}' if url.port else '')!r}"
    where += f" database {url.database!r}"
    assert error.path == "./nobody.csv" and error.key == "exports/nobody.csv"
    assert error.location == where
    assert str(error).endswith(f": './nobody.csv' ({where}, key 'exports/nobody.csv')")
    text = str(error) + repr(error) + repr(vars(error)) + repr(pickle.dumps(error))
    assert PASSWORD not in text
