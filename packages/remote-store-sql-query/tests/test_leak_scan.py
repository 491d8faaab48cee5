"""Leak scan (issue 21): a database password never shows on any surface of sql-query.

PostgreSQL (trust authentication) with the password in the URL's userinfo and as a
``?password=`` query parameter; dict, inline TOML and ``${VAR}`` TOML; every logger
(sqlalchemy included) at DEBUG.
"""

from __future__ import annotations

import pathlib

import pytest
import sqlalchemy as sa
from remote_store import Store
from remote_store_conformance.leakscan import LeakScan, scan_backend

PASSWORD = "LEAK-PGQ-PW-2291"


@pytest.mark.parametrize("shape", ["userinfo", "query"])
def test_database_password_never_leaks(
    people_db: tuple[sa.Engine, str], tmp_path: pathlib.Path, shape: str
) -> None:
    engine, table = people_db
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite URLs carry no password")
    url = engine.url
    if shape == "userinfo":
        url = url.set(password=PASSWORD)
    else:
        url = url.update_query_dict({"password": PASSWORD})
    options = {
        "url": url.render_as_string(hide_password=False),
        "queries": {"people.csv": f"SELECT * FROM {table} ORDER BY id"},
    }

    def exercise(store: Store, scan: LeakScan, label: str) -> None:
        data = scan.call(f"{label}: read", lambda: store.read_bytes("people.csv"))
        assert data is not None and b"name" in data.splitlines()[0]
        scan.call(f"{label}: unknown key", lambda: store.read_bytes("nobody.csv"))

    assert scan_backend("sql-query", options, [PASSWORD], exercise, tmp_path) == []
