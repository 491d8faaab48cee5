"""Errors name the caller's path, the database and the table, never the password."""

from __future__ import annotations

import pickle

import pytest
import sqlalchemy as sa
from remote_store import Store
from remote_store.errors import NotFound, RemoteStoreError
from remote_store_sql import SQLBlobBackend

from .conftest import PG_URL, table_name

PASSWORD = "LOCATION-PG-PW-5521"


def _surfaces(error: RemoteStoreError) -> str:
    return str(error) + repr(error) + repr(vars(error)) + repr(pickle.dumps(error))


@pytest.mark.parametrize("shape", ["userinfo", "query"])
def test_an_error_names_database_and_table_without_the_password(
    pg_engine: sa.Engine, shape: str
) -> None:
    url = sa.make_url(PG_URL)
    if shape == "userinfo":
        url = url.set(password=PASSWORD)
    else:
        url = url.update_query_dict({"password": PASSWORD})
    name = table_name()
    backend = SQLBlobBackend(url.render_as_string(hide_password=False), table_name=name)
    try:
        with Store(backend, "data/") as store, pytest.raises(NotFound) as info:
            store.delete("./x//gone.bin")
    finally:
        sa.Table(name, sa.MetaData()).drop(pg_engine, checkfirst=True)
    error = info.value
    host = f"{url.host}:{url.port}" if url.port else url.host
    where = f"sql-blob postgresql host {host!r} database {url.database!r} table {name!r}"
    assert error.path == "./x//gone.bin" and error.key == "data/x/gone.bin"
    assert error.location == where
    assert str(error).endswith(f": './x//gone.bin' ({where}, key 'data/x/gone.bin')")
    assert PASSWORD not in _surfaces(error)


def test_sqlite_names_its_database_file(tmp_path: object) -> None:
    database = f"{tmp_path}/blobs.db"
    with Store(SQLBlobBackend(f"sqlite:///{database}", table_name="files")) as store:
        with pytest.raises(NotFound) as info:
            store.get_file_info("a.txt")
    assert info.value.location == f"sql-blob sqlite database {database!r} table 'files'"
    assert str(info.value).endswith(f": 'a.txt' ({info.value.location})")
