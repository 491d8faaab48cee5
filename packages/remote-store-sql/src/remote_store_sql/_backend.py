"""sql-blob: files as rows of one table (``key`` primary key, ``data`` blob), SQLAlchemy 2.

Folders are virtual: a folder exists while some key starts with ``folder/``. Every prefix
query is a range ``prefix/ <= key < prefix0`` compared by code point (``'0'`` follows
``'/'``), so there are no wildcards to escape and no case folding on any database.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any, BinaryIO, TypeVar

import sqlalchemy as sa
from remote_store._backend import Backend
from remote_store._capabilities import Capability
from remote_store._models import FileInfo, FolderEntry, FolderInfo, ResolutionPlan, WriteResult
from remote_store._path import RemotePath
from remote_store._secret import Secret, reveal
from remote_store._streams import CHUNK_SIZE, WritableContent, iter_content
from remote_store.errors import (
    AlreadyExists,
    BlobTooLarge,
    ConfigError,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)
from sqlalchemy.pool import StaticPool

from remote_store_sql import _schema
from remote_store_sql._reader import BlobReader

__all__ = ["SQLBlobBackend"]

T = TypeVar("T")
#: Bytes appended per statement when a stream is written (PyMySQL escapes each piece into
#: the query text, making several copies: keep it small).
_APPEND_PIECE = 2 * 2**20
_PAGE = 500  # rows per listing query (keyset pagination: no cursor stays open)


def _upper(prefix: str) -> str:
    """The first string after every key starting with ``prefix`` (which ends in ``/``)."""
    return prefix[:-1] + "0"


class SQLBlobBackend(Backend):
    """Files stored as rows of a SQL table; compatible with remote-store 0.27 tables.

    Give ``url`` (a SQLAlchemy URL, ``str`` or :class:`Secret`) or ``engine``, not both.
    ``create_table=False`` reflects an existing table that has at least ``key`` and
    ``data``; capabilities narrow with its columns. ``max_blob_size`` (bytes) refuses
    larger content with :class:`BlobTooLarge` before anything is written.
    """

    CAPABILITIES = _schema.FULL_CAPABILITIES

    def __init__(
        self,
        url: str | Secret | None = None,
        *,
        engine: sa.Engine | None = None,
        table_name: str = "remote_store_objects",
        create_table: bool = True,
        max_blob_size: int | None = None,
        reject_write_under_file_ancestor: bool = False,
        read_chunk_size: int = CHUNK_SIZE,
    ) -> None:
        if (url is None) == (engine is None):
            raise ConfigError("sql-blob needs exactly one of 'url' or 'engine'")
        if max_blob_size is not None and max_blob_size < 0:
            raise ConfigError("max_blob_size must be >= 0")
        if read_chunk_size < 1:
            raise ConfigError("read_chunk_size must be >= 1")
        self._owns_engine = engine is None
        self._engine = engine if engine is not None else _make_engine(reveal(url) or "")
        self._dialect = self._engine.dialect.name
        self._table_name = table_name
        self._max = max_blob_size
        self._check_ancestors = reject_write_under_file_ancestor
        self._chunk = read_chunk_size
        try:
            self._table, binary_key = _schema.build_table(self._engine, table_name, create_table)
        except sa.exc.SQLAlchemyError as exc:
            raise self.map_error(exc) from exc
        self._key = _schema.key_expression(self._table, self._dialect, binary_key)
        self._caps = _schema.capabilities_for(self._table)
        self._size = self._table.c.size if "size" in self._table.c else None
        self._info_columns = [
            self._table.c.key,
            sa.func.length(self._table.c.data).label("length"),
            *(
                self._table.c[name]
                for name in ("modified_at", "content_type", "digest", "extra", "user_metadata")
                if name in self._table.c
            ),
        ]

    # -- identity ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        return "sql-blob"

    @property
    def capabilities(self) -> Any:
        return self._caps

    def __repr__(self) -> str:
        url = self._engine.url.render_as_string(hide_password=True)
        return f"SQLBlobBackend(url={url!r}, table_name={self._table_name!r})"

    # -- helpers ----------------------------------------------------------------------

    def _in_folder(self, path: str) -> sa.ColumnElement[bool]:
        """Keys strictly below folder ``path`` (every key for the root)."""
        if path == "":
            return sa.true()
        prefix = path + "/"
        return sa.and_(self._key >= prefix, self._key < _upper(prefix))

    def _has_children(self, conn: sa.Connection, path: str) -> bool:
        query = sa.select(self._table.c.key).where(self._in_folder(path)).limit(1)
        return conn.execute(query).first() is not None

    def _is_key(self, conn: sa.Connection, path: str) -> bool:
        query = sa.select(self._table.c.key).where(self._key == path)
        return conn.execute(query).first() is not None

    def _missing(self, conn: sa.Connection, path: str) -> RemoteStoreError:
        """NotFound, or InvalidPath when ``path`` is a folder."""
        if self._has_children(conn, path):
            return InvalidPath("is a folder", path=path, backend=self.name)
        return NotFound("file not found", path=path, backend=self.name)

    def _info(self, row: sa.Row[Any]) -> FileInfo:
        values = row._mapping
        metadata: dict[str, str] | None = None
        if Capability.USER_METADATA in self._caps:
            raw = values.get("user_metadata")
            metadata = dict(json.loads(raw)) if raw else {}
        key: str = values["key"]
        return FileInfo(
            path=RemotePath._trusted(key),
            name=key.rpartition("/")[2],
            size=int(values["length"] or 0),
            modified_at=_schema.to_datetime(values.get("modified_at")),
            digest=_schema.parse_digest(values.get("digest")),
            content_type=values.get("content_type"),
            metadata=metadata,
            extra=_schema.parse_extra(values.get("extra")),
        )

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        first = self._fetch_chunk(path, 0, self._chunk)
        if first is None:
            with self._engine.connect() as conn:
                raise self._missing(conn, path)
        data, total = first
        return BlobReader(  # type: ignore[return-value]
            lambda offset, size: self._chunk_or_fail(path, offset, size, total),
            total,
            data,
            self._chunk,
        )

    def _fetch_chunk(self, path: str, offset: int, size: int) -> tuple[bytes, int] | None:
        data = self._table.c.data
        query = sa.select(
            sa.func.substr(data, offset + 1, size, type_=sa.LargeBinary),
            sa.func.length(data),
        ).where(self._key == path)
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return bytes(row[0] or b""), int(row[1])

    def _chunk_or_fail(self, path: str, offset: int, size: int, total: int) -> bytes:
        fetched = self._fetch_chunk(path, offset, size)
        if fetched is None:
            raise NotFound("file was deleted while being read", path=path, backend=self.name)
        if fetched[1] != total:
            raise RemoteStoreError("file changed while being read", path=path, backend=self.name)
        return fetched[0]

    def get_file_info(self, path: str) -> FileInfo:
        query = sa.select(*self._info_columns).where(self._key == path)
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                raise self._missing(conn, path)
        return self._info(row)

    def is_file(self, path: str) -> bool:
        if path == "":
            return False
        with self._engine.connect() as conn:
            return self._is_key(conn, path)

    def is_folder(self, path: str) -> bool:
        if path == "":
            return True
        with self._engine.connect() as conn:
            return self._has_children(conn, path)

    # -- writes -----------------------------------------------------------------------

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        now = time.time()
        values: dict[str, Any] = {}
        if "modified_at" in self._table.c:
            values["modified_at"] = now
        if "user_metadata" in self._table.c:
            values["user_metadata"] = json.dumps(dict(metadata)) if metadata else None
        if isinstance(content, (bytes, bytearray, memoryview)):
            size = memoryview(content).nbytes
            self._check_size(path, size)
            with self._engine.begin() as conn:
                self._put(conn, path, {**values, "data": bytes(content)}, size, overwrite)
            return self._result(path, size, now, metadata)
        with self._spool(path, content) as (spool, size):
            with self._engine.begin() as conn:
                if self._dialect == "sqlite":  # reserve the blob, then fill it in place
                    self._put(
                        conn, path, {**values, "data": sa.func.zeroblob(size)}, size, overwrite
                    )
                    self._fill_sqlite(conn, path, spool)
                else:  # first piece, then appends: the blob never sits whole in memory
                    piece = _APPEND_PIECE
                    self._put(conn, path, {**values, "data": spool.read(piece)}, size, overwrite)
                    append = (  # bound at execution: statements never hold the bytes
                        sa.update(self._table)
                        .where(self._key == path)
                        .values(data=self._appended())
                    )
                    while chunk := spool.read(piece):
                        conn.execute(append, {"piece": chunk})
        return self._result(path, size, now, metadata)

    write_atomic = write  # one transaction: readers see the old row or the whole new one

    def _put(
        self, conn: sa.Connection, path: str, values: dict[str, Any], size: int, overwrite: bool
    ) -> None:
        """Insert (``overwrite=False``: the primary key refuses a second creator) or upsert.

        Values are bound at execution, so no cached statement keeps the content alive."""
        self._check_target(conn, path)
        if self._size is not None:
            values["size"] = size
        params = {"v_key": path}
        row: dict[str, Any] = {"key": sa.bindparam("v_key", type_=self._table.c.key.type)}
        for name, value in values.items():
            if isinstance(value, sa.ClauseElement):
                row[name] = value
            else:
                params[f"v_{name}"] = value
                row[name] = sa.bindparam(f"v_{name}", type_=self._table.c[name].type)
        if overwrite:
            conn.execute(self._upsert(row), params)
            return
        try:
            conn.execute(sa.insert(self._table).values(row), params)
        except sa.exc.IntegrityError:
            raise AlreadyExists("file exists", path=path, backend=self.name) from None

    def _appended(self) -> sa.ColumnElement[Any]:
        data, piece = self._table.c.data, sa.bindparam("piece", type_=sa.LargeBinary)
        if self._dialect in ("mysql", "mariadb"):
            return sa.func.concat(data, piece)
        return data.op("||")(piece)

    def _fill_sqlite(self, conn: sa.Connection, path: str, spool: IO[bytes]) -> None:
        rowid: int = conn.execute(
            sa.select(sa.literal_column("rowid")).select_from(self._table).where(self._key == path)
        ).scalar_one()
        raw: Any = conn.connection.driver_connection
        with raw.blobopen(self._table.name, "data", rowid) as blob:
            while chunk := spool.read(CHUNK_SIZE):
                blob.write(chunk)

    def _upsert(self, row: dict[str, Any]) -> sa.Executable:
        """One ``INSERT ... ON CONFLICT/DUPLICATE KEY UPDATE`` statement."""
        names = [name for name in row if name != "key"]
        if self._dialect in ("mysql", "mariadb"):
            from sqlalchemy.dialects.mysql import insert as mysql_insert

            my = mysql_insert(self._table).values(row)
            return my.on_duplicate_key_update({n: my.inserted[n] for n in names})
        if self._dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            pg = pg_insert(self._table).values(row)
            return pg.on_conflict_do_update(
                index_elements=[self._table.c.key], set_={n: pg.excluded[n] for n in names}
            )
        if self._dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            lite = sqlite_insert(self._table).values(row)
            return lite.on_conflict_do_update(
                index_elements=[self._table.c.key], set_={n: lite.excluded[n] for n in names}
            )
        raise ConfigError(f"sql-blob does not support the {self._dialect!r} dialect")

    def _result(
        self, path: str, size: int, now: float, metadata: Mapping[str, str] | None
    ) -> WriteResult:
        if Capability.WRITE_RESULT_NATIVE not in self._caps:
            return WriteResult(path=path, size=size)
        return WriteResult(
            path=path,
            size=size,
            source="native",
            last_modified=_schema.to_datetime(now),
            metadata=dict(metadata) if metadata else None,
        )

    def _check_size(self, path: str, size: int) -> None:
        if self._max is not None and size > self._max:
            raise self._too_large(path, size)

    @contextmanager
    def _spool(self, path: str, content: WritableContent) -> Iterator[tuple[IO[bytes], int]]:
        """The stream copied to a spool (1 MiB in memory, then a temporary file) and its
        size; an oversized stream is refused while copying, before the database is touched."""
        with tempfile.SpooledTemporaryFile(max_size=2**20) as spool:
            total = 0
            for chunk in iter_content(content):
                total += len(chunk)
                if self._max is not None and total > self._max:
                    raise self._too_large(path, total, at_least=True)
                spool.write(chunk)
            spool.seek(0)
            yield spool, total

    def _too_large(self, path: str, size: int, at_least: bool = False) -> BlobTooLarge:
        more = "more than " if at_least else ""
        return BlobTooLarge(
            f"content of {more}{size} bytes exceeds max_blob_size={self._max}",
            path=path,
            backend=self.name,
        )

    def _check_target(self, conn: sa.Connection, path: str) -> None:
        """Refuse writing onto a folder, and (when asked) below a file."""
        if self._has_children(conn, path):
            raise InvalidPath("is a folder", path=path, backend=self.name)
        if self._check_ancestors and "/" in path:
            parts = path.split("/")
            ancestors = ["/".join(parts[:i]) for i in range(1, len(parts))]
            query = sa.select(self._table.c.key).where(self._key.in_(ancestors)).limit(1)
            if conn.execute(query).first() is not None:
                raise InvalidPath("an ancestor is a file", path=path, backend=self.name)

    # -- deletes ----------------------------------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        with self._engine.begin() as conn:
            deleted = conn.execute(sa.delete(self._table).where(self._key == path))
            if deleted.rowcount:
                return
            error = self._missing(conn, path)
        if isinstance(error, NotFound) and missing_ok:
            return
        raise error

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        with self._engine.begin() as conn:
            if recursive:
                if conn.execute(sa.delete(self._table).where(self._in_folder(path))).rowcount:
                    return
            elif self._has_children(conn, path):
                raise DirectoryNotEmpty("folder is not empty", path=path, backend=self.name)
            if self._is_key(conn, path):
                raise InvalidPath("is a file", path=path, backend=self.name)
        if not missing_ok:
            raise NotFound("folder not found", path=path, backend=self.name)

    # -- listings ---------------------------------------------------------------------

    def _scan(self, path: str, depth: int | None) -> Iterator[FileInfo | FolderEntry]:
        """Files at most ``depth`` levels below ``path`` and the folders that cut the walk
        off, in key order. Pages by key; a cut-off folder is skipped in one jump."""
        prefix = path + "/" if path else ""
        end = self._in_folder(path)
        after: str | None = None  # exclusive lower bound
        start: str | None = None  # inclusive lower bound (after a jump)
        while True:
            query = sa.select(*self._info_columns).where(end)
            if after is not None:
                query = query.where(self._key > after)
            if start is not None:
                query = query.where(self._key >= start)
            with self._engine.connect() as conn:
                rows = conn.execute(query.order_by(self._key).limit(_PAGE)).all()
            after = start = None
            for row in rows:
                key: str = row._mapping["key"]
                rest = key[len(prefix) :]
                if depth is not None and rest.count("/") > depth:
                    folder = prefix + "/".join(rest.split("/")[: depth + 1])
                    yield FolderEntry(RemotePath._trusted(folder), folder.rpartition("/")[2])
                    start = _upper(folder + "/")
                    break
                yield self._info(row)
            else:
                if len(rows) < _PAGE:
                    return
                after = rows[-1]._mapping["key"]

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        depth = max_depth if max_depth is not None else (None if recursive else 0)
        for entry in self._scan(path, depth):
            if isinstance(entry, FileInfo):
                yield entry

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        for entry in self._scan(path, 0):
            if isinstance(entry, FolderEntry):
                yield entry

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        return self._scan(path, 0)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        from remote_store._glob import glob_by_listing

        return glob_by_listing(self, pattern)

    def get_folder_info(self, path: str) -> FolderInfo:
        size = self._size if self._size is not None else sa.func.length(self._table.c.data)
        newest = (
            sa.func.max(self._table.c.modified_at) if "modified_at" in self._table.c else sa.null()
        )
        query = sa.select(sa.func.count(), sa.func.sum(size), newest).where(self._in_folder(path))
        with self._engine.connect() as conn:
            count, total, latest = conn.execute(query).one()
            if not count and path:
                raise self._not_folder(conn, path)
        return FolderInfo(
            RemotePath.from_backend_path(path) if path else RemotePath.ROOT,
            int(count),
            int(total or 0),
            _schema.to_datetime(latest),
        )

    def _not_folder(self, conn: sa.Connection, path: str) -> RemoteStoreError:
        if self._is_key(conn, path):
            return InvalidPath("not a folder", path=path, backend=self.name)
        return NotFound("folder not found", path=path, backend=self.name)

    # -- move and copy ----------------------------------------------------------------

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Rename the row inside one transaction (atomic)."""
        with self._engine.begin() as conn:
            self._prepare_transfer(conn, src, dst, overwrite)
            conn.execute(sa.update(self._table).where(self._key == src).values(key=dst))

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy the row on the server (``INSERT ... SELECT``); the data never leaves it."""
        columns = [c for c in self._table.c if c.name != "key"]
        source = sa.select(sa.literal(dst, _schema.KeyType()), *columns).where(self._key == src)
        with self._engine.begin() as conn:
            self._prepare_transfer(conn, src, dst, overwrite)
            conn.execute(sa.insert(self._table).from_select([self._table.c.key, *columns], source))

    def _prepare_transfer(self, conn: sa.Connection, src: str, dst: str, overwrite: bool) -> None:
        if not self._is_key(conn, src):
            raise self._missing(conn, src)
        self._check_target(conn, dst)
        if overwrite:
            conn.execute(sa.delete(self._table).where(self._key == dst))

    # -- errors, health, lifecycle ----------------------------------------------------

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        if isinstance(exc, RemoteStoreError):
            return exc
        if isinstance(exc, sa.exc.SQLAlchemyError):
            kind = _schema.classify(exc)
            detail = type(getattr(exc, "orig", None) or exc).__name__
            return kind(f"database error ({detail})", path=path, backend=self.name)
        return super().map_error(exc, path)

    def check_health(self) -> None:
        try:
            with self._engine.connect() as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError as exc:
            raise self.map_error(exc) from exc

    def resolve(self, path: str) -> ResolutionPlan:
        details = {"table": self._table_name, "dialect": self._dialect, "key": path}
        return ResolutionPlan(self.name, self.name, path, path, details)

    def close(self) -> None:
        if self._owns_engine:
            self._engine.dispose()

    def unwrap(self, type_hint: type[T]) -> T:
        if isinstance(self._engine, type_hint):
            return self._engine
        return super().unwrap(type_hint)


def _make_engine(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and one shared in-memory DB."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    memory = parsed.database in (None, "", ":memory:")
    options: dict[str, Any] = {"connect_args": {"timeout": 30}}
    if memory:
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = sa.create_engine(parsed, **options)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine
