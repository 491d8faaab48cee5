"""Reflected tables whose key column compares case-insensitively (issue 21, part 4).

A unique index with a case-insensitive (or pad-space) collation makes ``a.txt`` and
``A.TXT`` one key: such a table is refused at first use with a ConfigError that says how
to fix it. A table whose unique index compares by code point but whose column declares
another collation is accepted, and every statement compares by code point: operations on
``data/`` touch no key outside it (``DATA/``, ``Data/``, ``data2/``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from remote_store import Registry, RegistryConfig, Store
from remote_store.errors import ConfigError
from remote_store_sql import SQLBlobBackend

OUTSIDE = {
    "DATA/a.txt": b"upper folder",
    "Data/a.txt": b"title folder",
    "DATA/sub/deep.txt": b"upper deep",
    "data2/a.txt": b"sibling prefix",
    "DaTa": b"a file named like the folder, other case",
    "dATA/A.TXT": b"mixed",
}
INSIDE = {
    "data/a.txt": b"lower",
    "data/sub/deep.txt": b"lower deep",
    "data/A.TXT": b"lower folder, upper name",
}


def _rows(engine: sa.Engine, table: str) -> dict[str, bytes]:
    with engine.connect() as conn:
        result = conn.execute(sa.text(f'SELECT "key", data FROM {table}'))
        return {_text(k): bytes(d) for k, d in result}


def _text(value: object) -> str:
    return (
        bytes(value).decode() if isinstance(value, (bytes, bytearray, memoryview)) else str(value)
    )


def _exercise(store: Store) -> None:
    """Every operation that selects by key or by prefix, on ``data/`` only."""
    for key, data in INSIDE.items():
        store.write(key, data, overwrite=True)
    assert store.get_folder_info("data").file_count == len(INSIDE)
    assert sorted(str(f.path) for f in store.list_files("data", recursive=True)) == sorted(INSIDE)
    assert store.read_bytes("data/a.txt") == b"lower"
    store.write("data/a.txt", b"lower again", overwrite=True)
    store.move("data/a.txt", "data/moved.txt")
    store.copy("data/moved.txt", "data/a.txt")
    store.delete("data/moved.txt")
    store.delete_folder("data", recursive=True)
    assert not store.exists("data")


def _check_outside_untouched(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    touched = [k for k in OUTSIDE if before.get(k) != after.get(k)]
    assert touched == [], f"keys outside the prefix touched: {touched}"
    assert {k: after[k] for k in OUTSIDE} == OUTSIDE


# -- SQLite ------------------------------------------------------------------------------


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/ci.db")
    yield engine
    engine.dispose()


@pytest.mark.parametrize("collation", ["NOCASE", "RTRIM"])
def test_sqlite_case_insensitive_primary_key_is_refused(
    sqlite_engine: sa.Engine, collation: str
) -> None:
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(
            f'CREATE TABLE ci ("key" TEXT COLLATE {collation} PRIMARY KEY, data BLOB NOT NULL)'
        )
    with pytest.raises(ConfigError, match=rf"{collation}.*COLLATE BINARY PRIMARY KEY"):
        SQLBlobBackend(engine=sqlite_engine, table_name="ci", create_table=False)


def test_sqlite_refusal_through_a_registry_names_the_backend(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/reg.db")
    with engine.begin() as conn:
        conn.exec_driver_sql('CREATE TABLE ci ("key" TEXT COLLATE NOCASE PRIMARY KEY, data BLOB)')
    engine.dispose()
    config = RegistryConfig.from_dict(
        {
            "backends": {
                "db": {
                    "type": "sql-blob",
                    "options": {"url": f"sqlite:///{tmp_path}/reg.db", "table_name": "ci"},
                }
            },
            "stores": {"s": {"backend": "db"}},
        }
    )
    with Registry(config) as registry, pytest.raises(ConfigError, match="NOCASE") as info:
        registry.get_store("s")
    assert info.value.backend == "db"


def test_sqlite_nocase_column_with_a_binary_unique_key_touches_only_the_prefix(
    sqlite_engine: sa.Engine,
) -> None:
    """The column declares NOCASE (so a bare ``key = ?`` would ignore case) but its primary
    key compares bytes: accepted, and every statement must compare by code point."""
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(
            'CREATE TABLE mixed ("key" TEXT COLLATE NOCASE NOT NULL, data BLOB NOT NULL, '
            'size INTEGER, PRIMARY KEY ("key" COLLATE BINARY))'
        )
    store = Store(SQLBlobBackend(engine=sqlite_engine, table_name="mixed", create_table=False))
    for key, data in OUTSIDE.items():
        store.write(key, data)
    before = _rows(sqlite_engine, "mixed")
    _exercise(store)
    _check_outside_untouched(before, _rows(sqlite_engine, "mixed"))
    store.close()


# -- MariaDB ---------------------------------------------------------------------------


@pytest.fixture
def mariadb_table(mariadb_engine: sa.Engine) -> Iterator[str]:
    name = f"rs_ci_{uuid.uuid4().hex[:10]}"
    yield name
    with mariadb_engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def _mariadb_create(engine: sa.Engine, name: str, collation: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE {name} (`key` VARCHAR(700) CHARACTER SET utf8mb4 COLLATE {collation} "
            "PRIMARY KEY, data LONGBLOB NOT NULL, size BIGINT)"
        )


@pytest.mark.parametrize("collation", ["utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_bin"])
def test_mariadb_case_or_pad_insensitive_key_is_refused(
    mariadb_engine: sa.Engine, mariadb_table: str, collation: str
) -> None:
    _mariadb_create(mariadb_engine, mariadb_table, collation)
    with pytest.raises(ConfigError, match=rf"{collation}.*MODIFY `key` VARBINARY"):
        SQLBlobBackend(engine=mariadb_engine, table_name=mariadb_table, create_table=False)


def test_mariadb_nopad_bin_table_touches_only_the_prefix(
    mariadb_engine: sa.Engine, mariadb_table: str
) -> None:
    _mariadb_create(mariadb_engine, mariadb_table, "utf8mb4_nopad_bin")
    backend = SQLBlobBackend(engine=mariadb_engine, table_name=mariadb_table, create_table=False)
    store = Store(backend)
    for key, data in {**OUTSIDE, "data ": b"trailing space name"}.items():
        store.write(key, data)
    before = _rows_mysql(mariadb_engine, mariadb_table)
    _exercise(store)
    after = _rows_mysql(mariadb_engine, mariadb_table)
    _check_outside_untouched(before, after)
    assert after["data "] == b"trailing space name"
    store.close()


def _rows_mysql(engine: sa.Engine, table: str) -> dict[str, bytes]:
    with engine.connect() as conn:
        result = conn.exec_driver_sql(f"SELECT CAST(`key` AS BINARY), data FROM {table}")
        return {bytes(k).decode(): bytes(d) for k, d in result}


# -- PostgreSQL ------------------------------------------------------------------------


def test_postgresql_nondeterministic_collation_is_refused(pg_engine: sa.Engine) -> None:
    name = f"rs_ci_{uuid.uuid4().hex[:10]}"
    with pg_engine.begin() as conn:
        try:
            conn.exec_driver_sql(
                "CREATE COLLATION IF NOT EXISTS rs_case_insensitive "
                "(provider = icu, locale = 'und-u-ks-level2', deterministic = false)"
            )
        except sa.exc.DBAPIError:
            pytest.skip("this PostgreSQL has no ICU collations")
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(
            f'CREATE TABLE {name} ("key" TEXT COLLATE rs_case_insensitive PRIMARY KEY, '
            "data BYTEA NOT NULL)"
        )
    try:
        with pytest.raises(ConfigError, match=r"rs_case_insensitive.*COLLATE \"C\""):
            SQLBlobBackend(engine=pg_engine, table_name=name, create_table=False)
    finally:
        with pg_engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def test_postgresql_deterministic_collation_touches_only_the_prefix(pg_engine: sa.Engine) -> None:
    name = f"rs_ci_{uuid.uuid4().hex[:10]}"
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(
            f'CREATE TABLE {name} ("key" TEXT COLLATE "en-x-icu" PRIMARY KEY, data BYTEA NOT NULL, '
            "size BIGINT)"
            if _has_collation(conn, "en-x-icu")
            else f'CREATE TABLE {name} ("key" TEXT PRIMARY KEY, data BYTEA NOT NULL, size BIGINT)'
        )
    try:
        store = Store(SQLBlobBackend(engine=pg_engine, table_name=name, create_table=False))
        for key, data in OUTSIDE.items():
            store.write(key, data)
        before = _rows(pg_engine, name)
        _exercise(store)
        _check_outside_untouched(before, _rows(pg_engine, name))
        store.close()
    finally:
        with pg_engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def _has_collation(conn: sa.Connection, name: str) -> bool:
    found = conn.execute(sa.text("SELECT 1 FROM pg_collation WHERE collname = :n"), {"n": name})
    return found.first() is not None
