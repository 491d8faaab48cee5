"""sql-blob behaviour on SQLite, PostgreSQL and MariaDB, through the Store."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from remote_store import Capability, Store
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    BlobTooLarge,
    ConfigError,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)
from remote_store_sql import SQLBlobBackend
from sqlalchemy.dialects import mysql

from .conftest import Factory, table_name


def keys(store: Store, path: str = "", **options: object) -> list[str]:
    return [str(info.path) for info in store.list_files(path, **options)]  # type: ignore[arg-type]


class _Failing(io.RawIOBase):
    """A stream that fails after some bytes."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        if self.sent:
            raise OSError("source broke")
        self.sent = True
        view = memoryview(buffer)  # type: ignore[arg-type]
        view[:3] = b"new"
        return 3


def test_write_read_overwrite_and_exclusive_create(backend_factory: Factory) -> None:
    store = Store(backend_factory())
    result = store.write("a/b.txt", b"hello", metadata={"k": "v"})
    assert result.size == 5
    assert result.source == "native"
    assert result.metadata == {"k": "v"}
    assert isinstance(result.last_modified, datetime)
    assert store.read_bytes("a/b.txt") == b"hello"
    with pytest.raises(AlreadyExists):
        store.write("a/b.txt", b"again")
    assert store.read_bytes("a/b.txt") == b"hello"
    store.write("a/b.txt", io.BytesIO(b"xxreplaced"[2:]), overwrite=True)
    assert store.read_bytes("a/b.txt") == b"replaced"
    info = store.get_file_info("a/b.txt")
    assert (info.size, info.name, info.metadata) == (8, "b.txt", {})
    assert store.supports(Capability.EXCLUSIVE_CREATE)


def test_stream_is_read_from_its_current_position(backend_factory: Factory) -> None:
    store = Store(backend_factory())
    source = io.BytesIO(b"skip:keep")
    source.read(5)
    assert store.write("s", source).size == 4
    assert store.read_bytes("s") == b"keep"


def test_failed_stream_keeps_old_file(backend_factory: Factory) -> None:
    store = Store(backend_factory())
    store.write("f", b"old")
    with pytest.raises(RemoteStoreError):
        store.write("f", _Failing(), overwrite=True)  # type: ignore[arg-type]
    assert store.read_bytes("f") == b"old"
    with pytest.raises(RemoteStoreError):
        store.write("g", _Failing())  # type: ignore[arg-type]
    assert not store.exists("g")


def test_missing_and_folder_targets(backend_factory: Factory) -> None:
    store = Store(backend_factory())
    store.write("dir/file", b"1")
    with pytest.raises(NotFound):
        store.read("nope")
    with pytest.raises(InvalidPath):
        store.read("dir")
    with pytest.raises(InvalidPath):
        store.write("dir", b"x", overwrite=True)
    with pytest.raises(InvalidPath):
        store.delete("dir", missing_ok=True)
    with pytest.raises(InvalidPath):
        store.get_file_info("dir")
    with pytest.raises(InvalidPath):
        store.delete_folder("dir/file")
    assert store.is_folder("dir") and not store.is_file("dir")
    assert store.is_file("dir/file") and not store.is_folder("dir/file")
    assert store.exists("") and store.is_folder("")


def test_listing_order_depth_and_children(backend_factory: Factory) -> None:
    store = Store(backend_factory())
    for key in ["b", "a-c", "a/x", "a/y/z", "a/y/w/v", "a0", "A/q", "é"]:
        store.write(key, key.encode())
    assert keys(store) == ["a-c", "a0", "b", "é"]
    assert keys(store, recursive=True) == [
        "A/q",
        "a-c",
        "a/x",
        "a/y/w/v",
        "a/y/z",
        "a0",
        "b",
        "é",
    ]
    assert keys(store, "a", max_depth=1) == ["a/x", "a/y/z"]
    assert [str(f.path) for f in store.list_folders("")] == ["A", "a"]
    assert [str(f.path) for f in store.list_folders("a", max_depth=1)] == ["a/y", "a/y/w"]
    children = [(str(e.path), type(e).__name__) for e in store.iter_children("a")]
    assert children == [("a/x", "FileInfo"), ("a/y", "FolderEntry")]
    assert keys(store, "missing") == []
    assert [str(i.path) for i in store.glob("a/**/*")] == ["a/x", "a/y/w/v", "a/y/z"]
    info = store.get_folder_info("a")
    assert (info.file_count, info.total_size) == (3, len(b"a/x" + b"a/y/z" + b"a/y/w/v"))
    with pytest.raises(NotFound):
        store.get_folder_info("missing")


def test_listing_pages_and_jumps_over_large_folders(sqlite_backend_factory: Factory) -> None:
    store = Store(sqlite_backend_factory())
    for i in range(1203):
        store.write(f"big/{i:05d}", b"")
    store.write("big0", b"")
    store.write("a", b"")
    assert keys(store) == ["a", "big0"]
    assert [str(f.path) for f in store.list_folders("")] == ["big"]
    assert len(keys(store, "big")) == 1203
    assert keys(store, "big")[-1] == "big/01202"


def test_delete_and_delete_folder(backend_factory: Factory) -> None:
    store = Store(backend_factory())
    for key in ["d/1", "d/e/2", "d_x/3", "dd/4"]:
        store.write(key, b"x")
    with pytest.raises(DirectoryNotEmpty):
        store.delete_folder("d")
    store.delete_folder("d", recursive=True)
    assert keys(store, recursive=True) == ["d_x/3", "dd/4"]
    with pytest.raises(NotFound):
        store.delete_folder("d", recursive=True)
    store.delete_folder("d", missing_ok=True)
    store.delete("dd/4")
    assert not store.exists("dd")
    with pytest.raises(NotFound):
        store.delete("dd/4")
    store.delete("dd/4", missing_ok=True)


def test_move_and_copy(backend_factory: Factory) -> None:
    store = Store(backend_factory())
    store.write("src", b"data", metadata={"m": "1"})
    store.write("other", b"other")
    store.copy("src", "dir/copy")
    assert store.read_bytes("dir/copy") == b"data"
    assert store.get_file_info("dir/copy").metadata == {"m": "1"}
    with pytest.raises(AlreadyExists):
        store.move("src", "other")
    store.move("src", "other", overwrite=True)
    assert not store.exists("src")
    assert store.read_bytes("other") == b"data"
    assert store.get_file_info("other").metadata == {"m": "1"}
    with pytest.raises(NotFound):
        store.move("src", "x")
    with pytest.raises(InvalidPath):
        store.copy("other", "dir")
    with pytest.raises(InvalidPath):
        store.move("dir", "y")


def test_max_blob_size_refuses_before_writing(backend_factory: Factory) -> None:
    store = Store(backend_factory(max_blob_size=10))
    store.write("ok", b"0123456789")
    with pytest.raises(BlobTooLarge) as caught:
        store.write("big", b"0123456789A")
    assert isinstance(caught.value, ValueError)
    with pytest.raises(BlobTooLarge):
        store.write("ok", io.BytesIO(b"x" * 11), overwrite=True)
    assert store.read_bytes("ok") == b"0123456789"
    assert not store.exists("big")


def test_chunked_reads_and_seeks(backend_factory: Factory) -> None:
    store = Store(backend_factory(read_chunk_size=7))
    data = bytes(range(256)) * 3
    store.write("blob", data)
    with store.read("blob") as stream:
        assert stream.read(5) == data[:5]
        assert stream.read(20) == data[5:25]
        stream.seek(700)
        assert stream.tell() == 700
        assert stream.read() == data[700:]
        assert stream.read(3) == b""
        stream.seek(-10, io.SEEK_END)
        assert stream.read(100) == data[-10:]
    assert store.read_bytes("blob") == data
    with store.read_seekable("blob") as stream:
        stream.seek(300)
        assert stream.read(4) == data[300:304]
    store.write("empty", b"")
    assert store.read_bytes("empty") == b""


def test_read_fails_typed_when_file_changes_under_the_stream(backend_factory: Factory) -> None:
    store = Store(backend_factory(read_chunk_size=4))
    store.write("f", b"0123456789")
    stream = store.read("f")
    assert stream.read(4) == b"0123"
    store.delete("f")
    with pytest.raises(NotFound):
        stream.read(4)
    stream.close()


def test_names_are_case_sensitive_and_wildcards_are_literal(backend_factory: Factory) -> None:
    store = Store(backend_factory())
    for key in ["data/1", "Data/2", "a_b/3", "axb/4", "a%/5", "ab/6", "a\\b/7", "trail /8"]:
        store.write(key, b"x")
    store.write("trail", b"no space")
    assert keys(store, "data") == ["data/1"]
    assert keys(store, "a_b") == ["a_b/3"]
    assert keys(store, "a%") == ["a%/5"]
    assert store.read_bytes("trail") == b"no space"
    store.delete_folder("a_b", recursive=True)
    store.delete_folder("data", recursive=True)
    assert sorted(keys(store, recursive=True)) == sorted(
        ["Data/2", "axb/4", "a%/5", "ab/6", "a/b/7", "trail /8", "trail"]
    )
    store.write("CASE", b"upper")
    store.write("case", b"lower")
    assert store.read_bytes("CASE") == b"upper"


def test_reflected_narrow_table_narrows_capabilities(backend_factory: Factory) -> None:
    first = backend_factory()
    engine = first.unwrap(sa.Engine)
    name = table_name()
    narrow = sa.Table(
        name,
        sa.MetaData(),
        # MariaDB's default collation ignores case: such a key column is refused (see
        # test_case_insensitive_tables.py), so the narrow table uses a code-point collation
        sa.Column(
            "key",
            sa.String(255).with_variant(
                mysql.VARCHAR(255, collation="utf8mb4_nopad_bin"), "mysql", "mariadb"
            ),
            primary_key=True,
        ),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    narrow.create(engine)
    try:
        backend = SQLBlobBackend(engine=engine, table_name=name, create_table=False)
        assert Capability.USER_METADATA not in backend.capabilities
        assert Capability.WRITE_RESULT_NATIVE not in backend.capabilities
        store = Store(backend)
        assert store.write("x/y", b"abc").source == "basic"
        assert store.get_file_info("x/y").size == 3
        assert store.get_file_info("x/y").metadata is None
        assert keys(store, "x") == ["x/y"]
    finally:
        narrow.drop(engine)
    with pytest.raises(ConfigError):
        SQLBlobBackend(engine=engine, table_name=name, create_table=False)


def test_reads_and_writes_a_027_table_unchanged(sqlite_backend_factory: Factory) -> None:
    backend = sqlite_backend_factory()
    engine = backend.unwrap(sa.Engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE old_objects (key TEXT PRIMARY KEY, data BLOB NOT NULL, "
                "size INTEGER, modified_at FLOAT, content_type TEXT, digest TEXT, "
                "extra TEXT, user_metadata TEXT)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO old_objects VALUES ('r/1.csv', x'6162', 2, 1700000000.5, "
                "'text/csv', NULL, NULL, '{\"owner\": \"ann\"}')"
            )
        )
    store = Store(SQLBlobBackend(engine=engine, table_name="old_objects", create_table=False))
    assert not store.supports(Capability.CONDITIONAL_WRITE)  # no etag column to compare
    info = store.get_file_info("r/1.csv")
    assert info.etag is None
    assert (info.size, info.content_type, info.metadata) == (2, "text/csv", {"owner": "ann"})
    assert info.modified_at is not None and info.modified_at.timestamp() == 1700000000.5
    store.write("r/2.csv", b"xyz", metadata={"a": "b"})
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT size, user_metadata FROM old_objects WHERE key='r/2.csv'")
        )
        size, metadata = row.one()
    assert size == 3 and json.loads(metadata) == {"a": "b"}


def test_sqlite_memory_database_is_shared_across_threads() -> None:
    import threading

    store = Store(SQLBlobBackend("sqlite://"))
    thread = threading.Thread(target=lambda: store.write("t", b"from thread"))
    thread.start()
    thread.join()
    assert store.read_bytes("t") == b"from thread"
    store.close()


def test_options_and_identity(sqlite_backend_factory: Factory) -> None:
    with pytest.raises(ConfigError):
        SQLBlobBackend()
    with pytest.raises(ConfigError):
        SQLBlobBackend("sqlite://", engine=sa.create_engine("sqlite://"))
    from remote_store.backends import SQLBlobBackend as Resolved

    assert Resolved is SQLBlobBackend
    plan = Store(sqlite_backend_factory()).resolve("a/b")
    assert plan.details["table"] == "remote_store_objects"


def test_unreachable_server_is_backend_unavailable_and_repr_hides_password() -> None:
    engine = sa.create_engine("postgresql+psycopg://user:hunter2@127.0.0.1:9/db")
    with pytest.raises(BackendUnavailable) as caught:
        SQLBlobBackend(engine=engine)
    assert "hunter2" not in str(caught.value)
    engine.dispose()
    from remote_store import Secret

    backend = SQLBlobBackend(Secret("sqlite://"))
    assert "sqlite" in repr(backend)
    backend.close()


def test_repr_hides_the_password(pg_engine: sa.Engine) -> None:
    from remote_store import Secret

    url = pg_engine.url.set(password="hunter2").render_as_string(hide_password=False)
    name = table_name()
    backend = SQLBlobBackend(Secret(url), table_name=name)
    try:
        assert "hunter2" not in repr(backend)
        assert "postgresql" in repr(backend)
    finally:
        sa.Table(name, sa.MetaData()).drop(backend.unwrap(sa.Engine))
        backend.close()
