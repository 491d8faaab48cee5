"""sql-query: read-only files whose content is the result of a SQL query.

Each registered key (``reports/daily.parquet``) maps to a query. Reading runs the query
with a streaming cursor (server-side on PostgreSQL, ``yield_per`` batches everywhere),
converts each batch of rows to an Arrow record batch and serialises it into a spool
(memory up to 8 MiB, then a temporary file), so neither the rows nor the file are ever
held whole in memory. Queries are SQL text or SQLAlchemy statements with bound
parameters; nothing a caller passes is interpolated into SQL.

File info is exact: the size of a file is the length of its serialised result, so
``get_file_info`` (and every listing, ``glob`` and folder info, one query per file they
report) runs the query and counts the serialised bytes as they stream by, keeping none.
There is no cache: a size always describes the data as it is now. A result has no
modification time, so ``modified_at`` is ``None``.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any, BinaryIO, TypeVar

import pyarrow as pa
import sqlalchemy as sa
from remote_store.backend import (
    SPOOL_MAX_MEMORY,
    Backend,
    Capability,
    CapabilitySet,
    FileInfo,
    FolderEntry,
    RemotePath,
    ResolutionPlan,
    Secret,
    join_key,
    literal_prefix,
    redact_url,
    reveal,
    translate_glob,
)
from remote_store.errors import ConfigError, InvalidPath, NotFound, RemoteStoreError

from remote_store_sql_query._errors import classify
from remote_store_sql_query._serializers import ArrowSerializer, ResultSerializer

__all__ = ["SQLQueryBackend"]

T = TypeVar("T")


class SQLQueryBackend(Backend):
    """Read-only virtual files: ``queries`` maps keys to SQL (text or statements).

    Give ``url`` or ``engine``. ``serializer`` decides the formats (default
    :class:`ArrowSerializer`: ``.parquet``, ``.csv``, ``.arrow``/``.ipc``);
    ``batch_size`` rows are fetched and converted at a time.
    """

    CAPABILITIES = CapabilitySet(
        {
            Capability.READ,
            Capability.LIST,
            Capability.METADATA,
            Capability.GLOB,
            Capability.SEEKABLE_READ,
        }
    )

    def __init__(
        self,
        url: str | Secret | None = None,
        *,
        engine: sa.Engine | None = None,
        queries: Mapping[str, str | sa.Executable],
        strict: bool = True,
        serializer: ResultSerializer | None = None,
        batch_size: int = 10_000,
    ) -> None:
        if not strict:
            raise NotImplementedError("sql-query supports only strict=True (registered keys)")
        if (url is None) == (engine is None):
            raise ConfigError("sql-query needs exactly one of 'url' or 'engine'")
        if batch_size < 1:
            raise ConfigError("batch_size must be >= 1")
        self._owns_engine = engine is None
        self._engine = engine if engine is not None else sa.create_engine(reveal(url) or "")
        self._serializer = serializer or ArrowSerializer()
        self._batch_size = batch_size
        self._queries: dict[str, sa.Executable] = {}
        for key, query in queries.items():
            clean = RemotePath(key)._key
            if self._serializer.format_of(clean) is None:
                raise ConfigError(f"no serializer format for key {key!r}")
            self._queries[clean] = sa.text(query) if isinstance(query, str) else query
        self._keys = sorted(self._queries)

    @property
    def name(self) -> str:
        return "sql-query"

    @property
    def location(self) -> str:
        """``sql-query <dialect> host '<host:port>' database '<db>'``."""
        url = self._engine.url
        where = f"sql-query {self._engine.dialect.name}"
        if url.host:
            where += f" host {url.host + (f':{url.port}' if url.port else '')!r}"
        if url.database:
            where += f" database {url.database!r}"
        return where

    def __repr__(self) -> str:
        # hide_password covers user:password@, not a password given as ?password=...
        url = redact_url(self._engine.url.render_as_string(hide_password=True))
        return f"SQLQueryBackend(url={url!r}, keys={len(self._keys)})"

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY)  # noqa: SIM115
        try:
            self._serialize(path, spool)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return spool  # type: ignore[return-value]

    read_seekable = read

    def _serialize(self, path: str, sink: IO[bytes]) -> None:
        """Run the query of ``path`` and write its result, batch by batch, to ``sink``."""
        query = self._query(path)
        fmt = self._serializer.format_of(path)
        assert fmt is not None
        with self._engine.connect() as conn:
            result = conn.execution_options(
                stream_results=True, yield_per=self._batch_size
            ).execute(query)
            names = list(result.keys())
            batches = _record_batches(names, result.partitions(self._batch_size))
            first = next(batches, None)
            schema = first.schema if first is not None else _empty_schema(names)
            self._serializer.serialize(fmt, schema, _chain(first, batches, schema), sink)

    def _query(self, path: str) -> sa.Executable:
        try:
            return self._queries[path]
        except KeyError:
            if self.is_folder(path):
                raise InvalidPath("is a folder", path=path, backend=self.name) from None
            raise NotFound(
                "no query is registered for this key", path=path, backend=self.name
            ) from None

    def get_file_info(self, path: str) -> FileInfo:
        """Exact metadata, at the price of running the query: ``size`` is the length of
        the serialised result, counted as it streams by (nothing is kept); a database has
        no modification time for a result, so ``modified_at`` is ``None``."""
        counter = _ByteCounter()
        self._serialize(path, counter)  # type: ignore[arg-type]
        return FileInfo(
            path=RemotePath._trusted(path),
            name=path.rpartition("/")[2],
            size=counter.count,
            modified_at=None,
            extra={"materialized": False, "format": self._serializer.format_of(path)},
        )

    def is_file(self, path: str) -> bool:
        return path in self._queries

    def is_folder(self, path: str) -> bool:
        if path == "":
            return True
        prefix = path + "/"
        return any(key.startswith(prefix) for key in self._keys)

    # -- listings ---------------------------------------------------------------------

    def _below(self, path: str) -> list[str]:
        prefix = path + "/" if path else ""
        return [key for key in self._keys if key.startswith(prefix)]

    def _files(self, path: str, depth: int | None) -> Iterator[str]:
        """Registered keys below ``path``, at most ``depth`` levels down, in key order."""
        base = len(path) + 1 if path else 0
        for key in self._below(path):
            if depth is None or key.count("/", base) <= depth:
                yield key

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        depth = max_depth if max_depth is not None else (None if recursive else 0)
        for key in self._files(path, depth):
            yield self.get_file_info(key)  # one query per file, run as the listing advances

    def _children(self, path: str) -> list[tuple[str, str, bool]]:
        """``(sort key, key, is folder)`` of the direct children, sorted; no query runs."""
        base = len(path) + 1 if path else 0
        children: dict[str, tuple[str, str, bool]] = {}
        for key in self._below(path):
            head, sep, _ = key[base:].partition("/")
            if sep:
                folder = join_key(path, head)
                children.setdefault(folder + "/", (folder + "/", folder, True))
            else:
                children[key] = (key, key, False)
        return [children[order] for order in sorted(children)]

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        for _, key, is_folder in self._children(path):
            if is_folder:
                yield FolderEntry(RemotePath._trusted(key), key.rpartition("/")[2])

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        for _, key, is_folder in self._children(path):
            if is_folder:
                yield FolderEntry(RemotePath._trusted(key), key.rpartition("/")[2])
            else:
                yield self.get_file_info(key)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        """Keys are matched first, so only the matching files' queries run."""
        regex = translate_glob(pattern)
        folder, recursive = literal_prefix(pattern)
        for key in self._files(folder, None if recursive else 0):
            if regex.match(key):
                yield self.get_file_info(key)

    # -- errors, naming, lifecycle ----------------------------------------------------

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        if isinstance(exc, RemoteStoreError):
            return exc
        if isinstance(exc, sa.exc.SQLAlchemyError):
            detail = type(getattr(exc, "orig", None) or exc).__name__
            return classify(exc)(f"database error ({detail})", path=path, backend=self.name)
        return super().map_error(exc, path)

    def resolve(self, path: str) -> ResolutionPlan:
        details = {"source": "explicit", "format": self._serializer.format_of(path)}
        return ResolutionPlan(self.name, self.name, path, path, details)

    def check_health(self) -> None:
        try:
            with self._engine.connect() as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError as exc:
            raise self.map_error(exc) from exc

    def close(self) -> None:
        if self._owns_engine:
            self._engine.dispose()

    def unwrap(self, type_hint: type[T]) -> T:
        if isinstance(self._engine, type_hint):
            return self._engine
        return super().unwrap(type_hint)


def _record_batches(
    names: Sequence[str], partitions: Iterator[Sequence[sa.Row[Any]]]
) -> Iterator[pa.RecordBatch]:
    """One Arrow record batch per partition of rows; types inferred by Arrow."""
    for rows in partitions:
        columns = [pa.array([row[i] for row in rows]) for i in range(len(names))]
        yield pa.RecordBatch.from_arrays(columns, names=list(names))


def _chain(
    first: pa.RecordBatch | None, rest: Iterator[pa.RecordBatch], schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """The batches, each cast to the schema of the first (a column that was all NULL in
    the first batch takes the type of the first batch that has values is not supported)."""
    if first is None:
        return
    yield first
    for batch in rest:
        yield batch if batch.schema.equals(schema) else batch.cast(schema)


def _empty_schema(names: Sequence[str]) -> pa.Schema:
    return pa.schema([(name, pa.null()) for name in names])


class _ByteCounter(io.RawIOBase):
    """A write-only sink that keeps nothing but the number of bytes written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        self.count += size
        return size

    def tell(self) -> int:
        return self.count
