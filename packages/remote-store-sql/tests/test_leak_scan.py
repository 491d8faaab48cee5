"""Leak scan (issue 21): a database password never shows on any surface.

PostgreSQL (trust authentication: the password is sent but not needed) with the password
in the URL's userinfo and as a ``?password=`` query parameter, loaded as a dict, inline
TOML and ``${VAR}`` TOML; every logger (sqlalchemy included) at DEBUG.
"""

from __future__ import annotations

import pathlib

import pytest
import sqlalchemy as sa
from remote_store import Store
from remote_store_conformance.leakscan import LeakScan, scan_backend

from .conftest import PG_URL, table_name

PASSWORD = "LEAK-PG-PW-4417"


@pytest.mark.parametrize("shape", ["userinfo", "query"])
def test_database_password_never_leaks(
    pg_engine: sa.Engine, tmp_path: pathlib.Path, shape: str
) -> None:
    url = sa.make_url(PG_URL)
    if shape == "userinfo":
        with_password = url.set(password=PASSWORD)
    else:
        with_password = url.update_query_dict({"password": PASSWORD})
    name = table_name()
    options = {
        "url": with_password.render_as_string(hide_password=False),
        "table_name": name,
    }

    def exercise(store: Store, scan: LeakScan, label: str) -> None:
        scan.call(f"{label}: write", lambda: store.write("leak/a.txt", b"x", overwrite=True))
        assert scan.call(f"{label}: read", lambda: store.read_bytes("leak/a.txt")) == b"x"
        scan.call(f"{label}: write onto a folder", lambda: store.write("leak", b"y"))
        scan.call(f"{label}: delete", lambda: store.delete("leak/a.txt"))
        # an error names the caller's path and the backend location, never a secret
        scan.call(f"{label}: missing", lambda: store.read_bytes("./leak//missing.txt"))

    try:
        leaks = scan_backend("sql-blob", options, [PASSWORD], exercise, tmp_path)
    finally:
        with pg_engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    assert leaks == []
