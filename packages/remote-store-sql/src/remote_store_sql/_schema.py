"""Table layout, per-dialect key handling and capabilities for sql-blob.

Kept apart from the backend so that ``_backend.py`` holds only storage code.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from remote_store.backend import Capability, CapabilitySet
from remote_store.errors import ConfigError
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect

__all__ = [
    "FULL_CAPABILITIES",
    "KeyType",
    "build_table",
    "capabilities_for",
    "key_expression",
]

_MYSQL = ("mysql", "mariadb")
#: InnoDB indexes at most 3072 bytes: the longest key (in UTF-8 bytes) a created table holds.
MYSQL_KEY_BYTES = 3072

# BULK_DELETE is not implemented here yet.
FULL_CAPABILITIES = CapabilitySet(set(Capability) - {Capability.BULK_DELETE})


class KeyType(sa.types.TypeDecorator[str]):
    """The key column: text compared by code point on every database.

    SQLite compares TEXT with ``memcmp`` (BINARY collation); PostgreSQL gets
    ``COLLATE "C"``; MySQL/MariaDB store the key as ``VARBINARY`` (their default
    collations ignore case and trailing spaces), and keys are bound as UTF-8 bytes there.
    """

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in _MYSQL:
            return dialect.type_descriptor(mysql.VARBINARY(MYSQL_KEY_BYTES))
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.Text(collation="C"))
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        if value is not None and dialect.name in _MYSQL:
            return value.encode("utf-8")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value).decode("utf-8")
        return value  # type: ignore[no-any-return]


def build_table(engine: sa.Engine, name: str, create: bool) -> tuple[sa.Table, bool]:
    """The table object and whether its MySQL key column is binary.

    With ``create`` a missing table is created with the full layout (0.27's and an
    ``etag`` column); an existing table is reflected and only its known columns are used.
    """
    inspector = sa.inspect(engine)
    if not inspector.has_table(name):
        if not create:
            raise ConfigError(f"table {name!r} does not exist (and create_table=False)")
        table = _full_table(name)
        table.create(engine, checkfirst=True)
        if engine.dialect.name == "postgresql":
            # Uncompressed out-of-line storage: substring() then reads only the chunks it needs.
            with engine.begin() as conn:
                conn.execute(
                    sa.text(
                        f"ALTER TABLE {_quoted(engine, name)} "
                        "ALTER COLUMN data SET STORAGE EXTERNAL"
                    )
                )
        return table, True
    reflected = {col["name"]: col for col in inspector.get_columns(name)}
    missing = {"key", "data"} - set(reflected)
    if missing:
        raise ConfigError(f"table {name!r} lacks the required column(s) {sorted(missing)}")
    binary_key = isinstance(reflected["key"]["type"], sa.types._Binary)
    if not binary_key:
        check_key_collation(engine, name)
    columns = [c for c in _full_table(name).columns if c.name in reflected]
    table = sa.Table(name, sa.MetaData(), *(c._copy() for c in columns))
    return table, binary_key


def check_key_collation(engine: sa.Engine, name: str) -> None:
    """Refuse a reflected table whose ``key`` column makes distinct keys equal.

    A case-insensitive (or trailing-space-insensitive) collation on the key column makes
    its unique index treat ``a.txt`` and ``A.txt`` as one key: an upsert of one would
    overwrite the other's row, and no statement-level cast can undo a unique index.
    """
    dialect = engine.dialect.name
    with engine.connect() as conn:
        if dialect == "sqlite":
            problem = _sqlite_key_problem(conn, name)
        elif dialect in _MYSQL:
            problem = _mysql_key_problem(conn, name)
        elif dialect == "postgresql":
            problem = _postgresql_key_problem(conn, engine, name)
        else:
            problem = None
    if problem is not None:
        collation, fix = problem
        raise ConfigError(
            f"table {name!r}: its 'key' column uses the collation {collation}, which treats "
            "keys differing in case (or in trailing spaces) as equal, so one key's write "
            f"would overwrite another's row; sql-blob needs keys compared by code point. {fix}"
        )


def _sqlite_key_problem(conn: sa.Connection, name: str) -> tuple[str, str] | None:
    quoted = conn.dialect.identifier_preparer.quote(name)
    for index in conn.exec_driver_sql(f"PRAGMA index_list({quoted})").mappings():
        if not index["unique"]:
            continue
        index_name = conn.dialect.identifier_preparer.quote(index["name"])
        columns = list(conn.exec_driver_sql(f"PRAGMA index_xinfo({index_name})").mappings())
        for column in columns:
            if (
                column["key"]
                and column["name"] == "key"
                and str(column["coll"]).upper() != "BINARY"
            ):
                fix = (
                    'Recreate the table with `"key" TEXT COLLATE BINARY PRIMARY KEY` '
                    "(SQLite cannot alter a column's collation), copying the rows over."
                )
                return str(column["coll"]), fix
    return None


def _mysql_key_problem(conn: sa.Connection, name: str) -> tuple[str, str] | None:
    row = conn.execute(
        sa.text(
            "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE "
            "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t AND COLUMN_NAME = 'key'"
        ),
        {"t": name},
    ).first()
    collation = row[0] if row is not None else None
    if collation is None or "nopad_bin" in collation or collation.endswith("_0900_bin"):
        return None
    quoted = conn.dialect.identifier_preparer.quote(name)
    fix = (
        f"Convert the column: ALTER TABLE {quoted} MODIFY `key` VARBINARY({MYSQL_KEY_BYTES}) "
        "NOT NULL (or a *_nopad_bin collation)."
    )
    return collation, fix


def _postgresql_key_problem(
    conn: sa.Connection, engine: sa.Engine, name: str
) -> tuple[str, str] | None:
    row = conn.execute(
        sa.text(
            "SELECT c.collname, c.collisdeterministic FROM pg_attribute a "
            "JOIN pg_collation c ON c.oid = a.attcollation "
            "WHERE a.attrelid = to_regclass(:t) AND a.attname = 'key'"
        ),
        {"t": _quoted(engine, name)},
    ).first()
    if row is None or row[1]:
        return None
    table = _quoted(engine, name)
    fix = f'Convert the column: ALTER TABLE {table} ALTER COLUMN key TYPE text COLLATE "C".'
    return str(row[0]), fix


def _quoted(engine: sa.Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def _full_table(name: str) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("key", KeyType(), primary_key=True),
        sa.Column("data", sa.LargeBinary().with_variant(mysql.LONGBLOB(), *_MYSQL), nullable=False),
        sa.Column("size", sa.Integer().with_variant(sa.BigInteger(), "postgresql", *_MYSQL)),
        sa.Column("modified_at", sa.Float().with_variant(mysql.DOUBLE(), *_MYSQL)),
        sa.Column("content_type", sa.Text()),
        sa.Column("digest", sa.Text()),
        sa.Column("extra", sa.Text()),
        sa.Column("user_metadata", sa.Text()),
        sa.Column("etag", sa.Text()),  # new for every version written (after 0.27)
    )


def key_expression(table: sa.Table, dialect: str, binary_key: bool) -> sa.ColumnElement[str]:
    """The key as compared and ordered: by code point, whatever the column's collation."""
    column = table.c.key
    if dialect == "postgresql":
        return column.collate("C")
    if dialect in _MYSQL and not binary_key:
        return sa.type_coerce(sa.cast(column, mysql.BINARY()), KeyType())
    if dialect == "sqlite":
        # a reflected column may declare NOCASE/RTRIM: compare by code point anyway
        return column.collate("BINARY")
    return column


def capabilities_for(table: sa.Table) -> CapabilitySet:
    """The full set, narrowed by the columns the table lacks."""
    caps = set(FULL_CAPABILITIES)
    if "user_metadata" not in table.c:
        caps.discard(Capability.USER_METADATA)
    if "modified_at" not in table.c:
        caps.discard(Capability.WRITE_RESULT_NATIVE)
    if "etag" not in table.c:  # a 0.27 table: nothing to compare a version with
        caps.discard(Capability.CONDITIONAL_WRITE)
    return CapabilitySet(caps)
