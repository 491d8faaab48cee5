"""sql-query on SQLite and PostgreSQL: every format read back with pyarrow, rows checked."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import IO

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as pa_ipc
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from remote_store import Capability, Store
from remote_store.errors import (
    BackendUnavailable,
    CapabilityNotSupported,
    ConfigError,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from remote_store_sql_query import ArrowSerializer, ResultSerializer, SQLQueryBackend

from .conftest import ROWS


def _store(engine: sa.Engine, table: str) -> Store:
    people = sa.table(table, sa.column("id"), sa.column("name"), sa.column("score"))
    everyone = f"SELECT id, name, score FROM {table} ORDER BY id"  # test-owned table name
    queries: dict[str, str | sa.Executable] = {
        "people/all.parquet": everyone,
        "people/all.csv": everyone,
        "people/all.arrow": everyone,
        "people/all.ipc": everyone,
        "people/top/10.parquet": sa.select(people).where(people.c.id < sa.bindparam("n", 10)),
        "empty.parquet": f"SELECT id, name FROM {table} WHERE id < 0",
    }
    return Store(SQLQueryBackend(engine=engine, queries=queries, batch_size=1000))


def _read(store: Store, key: str) -> pa.Table:
    data = store.read_bytes(key)
    if key.endswith(".parquet"):
        return pq.read_table(io.BytesIO(data))
    if key.endswith(".csv"):
        return pa_csv.read_csv(io.BytesIO(data))
    return pa_ipc.open_file(io.BytesIO(data)).read_all()


@pytest.mark.parametrize("suffix", ["parquet", "csv", "arrow", "ipc"])
def test_each_format_reads_back_with_pyarrow(people_db: tuple[sa.Engine, str], suffix: str) -> None:
    store = _store(*people_db)
    table = _read(store, f"people/all.{suffix}")
    assert table.num_rows == ROWS
    assert table.column_names == ["id", "name", "score"]
    assert table.column("id").to_pylist()[:3] == [0, 1, 2]
    assert table.column("id").to_pylist()[-1] == ROWS - 1
    assert table.column("name").to_pylist()[1_234] == "n1234"
    assert table.column("score").to_pylist()[ROWS - 1] == (ROWS - 1) / 4


def test_statement_with_bound_parameter_and_empty_result(
    people_db: tuple[sa.Engine, str],
) -> None:
    store = _store(*people_db)
    top = _read(store, "people/top/10.parquet")
    assert sorted(top.column("id").to_pylist()) == list(range(10))
    empty = _read(store, "empty.parquet")
    assert (empty.num_rows, empty.column_names) == (0, ["id", "name"])


def test_listing_metadata_and_refusals(people_db: tuple[sa.Engine, str]) -> None:
    store = _store(*people_db)
    assert [str(i.path) for i in store.list_files("")] == ["empty.parquet"]
    assert [str(f.path) for f in store.list_folders("people")] == ["people/top"]
    assert [str(i.path) for i in store.list_files("people")] == [
        "people/all.arrow",
        "people/all.csv",
        "people/all.ipc",
        "people/all.parquet",
    ]
    assert [str(i.path) for i in store.glob("**/*.parquet")] == [
        "empty.parquet",
        "people/all.parquet",
        "people/top/10.parquet",
    ]
    info = store.get_file_info("people/all.csv")
    assert info.extra["materialized"] is False
    with pytest.raises(NotFound):
        store.read("people/none.csv")
    with pytest.raises(InvalidPath):
        store.read("people")
    with pytest.raises(CapabilityNotSupported):
        store.write("people/x.csv", b"x")
    assert not store.supports(Capability.WRITE)
    with store.read_seekable("people/all.parquet") as stream:
        stream.seek(0, io.SEEK_END)
        assert stream.tell() > 0
    assert store.resolve("people/all.csv").details["format"] == "csv"


def test_options() -> None:
    with pytest.raises(NotImplementedError):
        SQLQueryBackend("sqlite://", queries={}, strict=False)
    with pytest.raises(ConfigError):
        SQLQueryBackend("sqlite://", queries={"a.txt": "SELECT 1"})
    with pytest.raises(ConfigError):
        SQLQueryBackend(queries={})
    assert issubclass(ArrowSerializer, ResultSerializer)
    from remote_store.backends import ArrowSerializer as Resolved
    from remote_store.backends import SQLQueryBackend as ResolvedBackend

    assert Resolved is ArrowSerializer and ResolvedBackend is SQLQueryBackend


def test_unreachable_database_is_backend_unavailable() -> None:
    backend = SQLQueryBackend(
        "postgresql+psycopg://user:hunter2@127.0.0.1:9/db", queries={"a.csv": "SELECT 1"}
    )
    assert "hunter2" not in repr(backend)
    with pytest.raises(BackendUnavailable) as caught:
        Store(backend).read_bytes("a.csv")
    assert "hunter2" not in str(caught.value)


def test_rows_stream_from_the_cursor_in_batches(people_db: tuple[sa.Engine, str]) -> None:
    engine, table = people_db
    batches: list[int] = []

    class Counting(ArrowSerializer):
        def serialize(
            self,
            fmt: str,
            schema: pa.Schema,
            batches_in: Iterable[pa.RecordBatch],
            sink: IO[bytes],
        ) -> None:
            def counted() -> Iterator[pa.RecordBatch]:
                for batch in batches_in:
                    batches.append(batch.num_rows)
                    yield batch

            super().serialize(fmt, schema, counted(), sink)

    backend = SQLQueryBackend(
        engine=engine,
        queries={"p.csv": f"SELECT id FROM {table}"},
        serializer=Counting(),
        batch_size=700,
    )
    assert pa_csv.read_csv(io.BytesIO(Store(backend).read_bytes("p.csv"))).num_rows == ROWS
    assert batches[:3] == [700, 700, 700] and sum(batches) == ROWS


def test_file_info_size_is_the_serialised_length_of_every_format(
    people_db: tuple[sa.Engine, str],
) -> None:
    store = _store(*people_db)
    formats = {
        "people/all.parquet": "parquet",
        "people/all.csv": "csv",
        "people/all.arrow": "ipc",
        "empty.parquet": "parquet",
    }
    for key, fmt in formats.items():
        info = store.get_file_info(key)
        assert info.size == len(store.read_bytes(key)) > 0, key
        assert info.modified_at is None  # a query result has no modification time
        assert info.extra == {"materialized": False, "format": fmt}
    listed = {str(i.path): i.size for i in store.list_files("", recursive=True)}
    assert listed["people/all.csv"] == len(store.read_bytes("people/all.csv"))
    folder = store.get_folder_info("people")
    assert folder.file_count == 5
    assert folder.total_size == sum(v for k, v in listed.items() if k.startswith("people/"))
    assert store.head("people/all.ipc").size == listed["people/all.ipc"]


def test_file_info_describes_the_data_as_it_is_now(people_db: tuple[sa.Engine, str]) -> None:
    engine, table = people_db
    store = _store(engine, table)
    before = store.get_file_info("people/all.csv").size
    people = sa.table(table, sa.column("id"), sa.column("name"), sa.column("score"))
    with engine.begin() as conn:
        conn.execute(sa.insert(people).values(id=ROWS, name="late", score=0.5))
    after = store.get_file_info("people/all.csv").size
    assert after == before + len(f'{ROWS},"late",0.5\n')
    assert after == len(store.read_bytes("people/all.csv"))


def test_only_the_files_a_call_reports_run_their_query(people_db: tuple[sa.Engine, str]) -> None:
    engine, table = people_db
    ran: list[str] = []

    class Recording(ArrowSerializer):
        def serialize(self, fmt, schema, batches, sink):  # type: ignore[no-untyped-def]
            ran.append(fmt)
            super().serialize(fmt, schema, batches, sink)

    everyone = f"SELECT id FROM {table}"  # test-owned table name
    keys = ["a/x.csv", "a/y.parquet", "a/b/z.csv", "top.arrow"]
    backend = SQLQueryBackend(
        engine=engine, queries=dict.fromkeys(keys, everyone), serializer=Recording()
    )
    store = Store(backend)
    assert [str(f.path) for f in store.list_folders("a")] == ["a/b"]
    assert store.exists("a/b") and store.is_file("a/x.csv") and store.is_folder("a")
    assert ran == []  # folders and existence come from the registered keys
    assert [str(i.path) for i in store.glob("a/*.csv")] == ["a/x.csv"]
    assert ran == ["csv"]
    children = store.iter_children("a")
    assert str(next(children).path) == "a/b"
    assert ran == ["csv"]  # a child's info is computed when the listing reaches it
    assert [str(c.path) for c in children] == ["a/x.csv", "a/y.parquet"]
    assert ran == ["csv", "csv", "parquet"]


class _PyMySQLStyleError(Exception):
    """Shaped like PyMySQL's errors: (errno, message) args and a SQLSTATE attribute."""

    __module__ = "pymysql.err"

    def __init__(self, errno: int, sqlstate: str) -> None:
        super().__init__(errno, "message")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("errno", "sqlstate", "expected"),
    [
        (1205, "HY000", BackendUnavailable),  # lock wait timeout
        (2013, "HY000", BackendUnavailable),  # lost connection
        (1142, "42000", PermissionDenied),  # command denied
        (1064, "42000", RemoteStoreError),  # syntax error
    ],
)
def test_mysql_errors_are_classified_by_number_not_by_their_coarse_sqlstate(
    errno: int, sqlstate: str, expected: type[Exception]
) -> None:
    from remote_store_sql_query._errors import classify

    native = sa.exc.OperationalError("SELECT 1", {}, _PyMySQLStyleError(errno, sqlstate))
    assert classify(native) is expected
