"""sql-blob: files as rows of one table (``key`` primary key, ``data`` blob), SQLAlchemy 2.

Folders are virtual: a folder exists while some key starts with ``folder/``. Every prefix
query is a key range (:mod:`remote_store_sql._queries`); a stream is written in pieces
(:mod:`remote_store_sql._write`) and read in chunks (:mod:`remote_store_sql._reader`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any, BinaryIO, TypeVar

import sqlalchemy as sa
from remote_store.backend import (
    CHUNK_SIZE,
    Backend,
    Capability,
    FileInfo,
    FolderEntry,
    FolderInfo,
    FolderSemantics,
    RemotePath,
    ResolutionPlan,
    Secret,
    WritableContent,
    WriteResult,
    condition_failures,
    redact_url,
    reveal,
)
from remote_store.errors import (
    AlreadyExists,
    BlobTooLarge,
    ConfigError,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PreconditionFailed,
    RemoteStoreError,
)

from remote_store_sql import _queries, _rows, _schema, _write
from remote_store_sql._engine import make_engine
from remote_store_sql._errors import classify
from remote_store_sql._reader import BlobReader

__all__ = ["SQLBlobBackend"]

T = TypeVar("T")


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
        self._engine = engine if engine is not None else make_engine(reveal(url) or "")
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
        self._info_columns = _rows.info_columns(self._table)
        self._native_result = Capability.WRITE_RESULT_NATIVE in self._caps

    # -- identity ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        return "sql-blob"

    @property
    def location(self) -> str:
        """``sql-blob <dialect> host '<host:port>' database '<db>' table '<table>'``."""
        url = self._engine.url
        where = f"sql-blob {self._dialect}"
        if url.host:
            where += f" host {url.host + (f':{url.port}' if url.port else '')!r}"
        if url.database:
            where += f" database {url.database!r}"
        return f"{where} table {self._table_name!r}"

    @property
    def folder_semantics(self) -> FolderSemantics:
        """Flat keys; a write below a file is refused with ``reject_write_under_file_ancestor``."""
        return FolderSemantics(
            keeps_empty_folders=False, rejects_file_ancestors=self._check_ancestors
        )

    @property
    def capabilities(self) -> Any:
        return self._caps

    def __repr__(self) -> str:
        # hide_password covers user:password@, not a password given as ?password=...
        url = redact_url(self._engine.url.render_as_string(hide_password=True))
        return f"SQLBlobBackend(url={url!r}, table_name={self._table_name!r})"

    # -- helpers ----------------------------------------------------------------------

    def _has_children(self, conn: sa.Connection, path: str) -> bool:
        query = sa.select(self._table.c.key).where(_queries.in_folder(self._key, path)).limit(1)
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
        return _rows.file_info(row, Capability.USER_METADATA in self._caps)

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
        return self._write(path, content, overwrite, metadata, None)

    write_atomic = write  # one transaction: readers see the old row or the whole new one

    def write_conditional(
        self,
        path: str,
        content: WritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """``if_none_match="*"``: the insert-only write (the primary key refuses an existing
        key). ``if_match``: ``UPDATE ... WHERE key = ? AND etag = ?`` in the write's
        transaction; the database locks the row, so of racing writers holding one etag
        exactly one updates a row, the others find none and fail."""
        with condition_failures(self, path):
            if if_none_match is not None:
                return self._write(path, content, False, metadata, None)
            return self._write(path, content, True, metadata, if_match)

    def _write(
        self,
        path: str,
        content: WritableContent,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
        if_match: str | None,
    ) -> WriteResult:
        values = _rows.write_values(self._table, time.time(), metadata)
        if isinstance(content, (bytes, bytearray, memoryview)):
            size = memoryview(content).nbytes
            self._check_size(path, size)
            with self._engine.begin() as conn:
                row = {**values, "data": bytes(content)}
                self._put(conn, path, row, size, overwrite, if_match)
            return _rows.write_result(path, size, values, metadata, self._native_result)
        too_large = partial(self._too_large, path, at_least=True)
        with _write.spool(content, self._max, too_large) as (spooled, size):
            with self._engine.begin() as conn:
                first = _write.first_part(self._dialect, spooled, size)
                self._put(conn, path, {**values, "data": first}, size, overwrite, if_match)
                del first  # not held while the rest is appended (memory stays bounded)
                _write.write_rest(conn, self._table, self._key, self._dialect, path, spooled)
        return _rows.write_result(path, size, values, metadata, self._native_result)

    def _put(
        self,
        conn: sa.Connection,
        path: str,
        values: dict[str, Any],
        size: int,
        overwrite: bool,
        if_match: str | None = None,
    ) -> None:
        """Insert (``overwrite=False``: the primary key refuses a second creator), upsert,
        or update the row while its etag is ``if_match``."""
        self._check_target(conn, path)
        if self._size is not None:
            values["size"] = size
        row, params = _write.bind_row(self._table, path, values)
        if if_match is not None:
            del row["key"], params["v_key"]
            update = sa.update(self._table).where(self._key == path, self._table.c.etag == if_match)
            if conn.execute(update.values(row), params).rowcount != 1:
                raise PreconditionFailed("etag does not match", path=path, backend=self.name)
            return
        if overwrite:
            conn.execute(_write.upsert(self._table, self._dialect, row), params)
            return
        try:
            conn.execute(sa.insert(self._table).values(row), params)
        except sa.exc.IntegrityError:
            raise AlreadyExists("file exists", path=path, backend=self.name) from None

    def _check_size(self, path: str, size: int) -> None:
        if self._max is not None and size > self._max:
            raise self._too_large(path, size)

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
            ancestors = _queries.ancestors(path)
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
                if conn.execute(
                    sa.delete(self._table).where(_queries.in_folder(self._key, path))
                ).rowcount:
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
        after: str | None = None  # exclusive lower bound
        start: str | None = None  # inclusive lower bound (after a jump)
        while True:
            query = _queries.page(self._info_columns, self._key, path, after=after, start=start)
            with self._engine.connect() as conn:
                rows = conn.execute(query).all()
            after = start = None
            for row in rows:
                key: str = row._mapping["key"]
                rest = key[len(prefix) :]
                if depth is not None and rest.count("/") > depth:
                    folder = prefix + "/".join(rest.split("/")[: depth + 1])
                    yield FolderEntry(RemotePath._trusted(folder), folder.rpartition("/")[2])
                    start = _queries.upper(folder + "/")
                    break
                yield self._info(row)
            else:
                if len(rows) < _queries.PAGE:
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
        from remote_store.backend import glob_by_listing

        return glob_by_listing(self, pattern)

    def get_folder_info(self, path: str) -> FolderInfo:
        size = self._size if self._size is not None else sa.func.length(self._table.c.data)
        newest = (
            sa.func.max(self._table.c.modified_at) if "modified_at" in self._table.c else sa.null()
        )
        query = sa.select(sa.func.count(), sa.func.sum(size), newest).where(
            _queries.in_folder(self._key, path)
        )
        with self._engine.connect() as conn:
            count, total, latest = conn.execute(query).one()
            if not count and path:
                raise self._not_folder(conn, path)
        return FolderInfo(
            RemotePath.from_backend_path(path) if path else RemotePath.ROOT,
            int(count),
            int(total or 0),
            _rows.to_datetime(latest),
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
        selected = [
            sa.literal(_rows.new_etag(), sa.Text()) if c.name == "etag" else c for c in columns
        ]  # a copy is a new version of dst: its own etag
        source = sa.select(sa.literal(dst, _schema.KeyType()), *selected).where(self._key == src)
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
            kind = classify(exc)
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
