"""sql-query: read-only files whose content is the result of a SQL query.

Each registered key (``reports/daily.parquet``) maps to a query. Reading runs the query
with a streaming cursor (server-side on PostgreSQL, ``yield_per`` batches everywhere),
converts each batch of rows to an Arrow record batch and serialises it into a spool
(memory up to 8 MiB, then a temporary file), so neither the rows nor the file are ever
held whole in memory. Queries are SQL text or SQLAlchemy statements with bound
parameters; nothing a caller passes is interpolated into SQL.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO, TypeVar

import pyarrow as pa
import sqlalchemy as sa
from remote_store._backend import Backend, join_key
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._glob import glob_by_listing
from remote_store._models import FileInfo, FolderEntry, ResolutionPlan
from remote_store._path import RemotePath
from remote_store._secret import Secret, reveal
from remote_store._streams import SPOOL_MAX_MEMORY
from remote_store.errors import ConfigError, InvalidPath, NotFound, RemoteStoreError

from remote_store_sql_query._errors import classify
from remote_store_sql_query._serializers import ArrowSerializer, ResultSerializer

__all__ = ["SQLQueryBackend"]

T = TypeVar("T")
_UNKNOWN_TIME = datetime.min.replace(tzinfo=UTC)  # 0.27's "not materialised" sentinel


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

    def __repr__(self) -> str:
        url = self._engine.url.render_as_string(hide_password=True)
        return f"SQLQueryBackend(url={url!r}, keys={len(self._keys)})"

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        query = self._query(path)
        fmt = self._serializer.format_of(path)
        assert fmt is not None
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY)  # noqa: SIM115
        try:
            with self._engine.connect() as conn:
                result = conn.execution_options(
                    stream_results=True, yield_per=self._batch_size
                ).execute(query)
                names = list(result.keys())
                batches = _record_batches(names, result.partitions(self._batch_size))
                first = next(batches, None)
                schema = first.schema if first is not None else _empty_schema(names)
                self._serializer.serialize(fmt, schema, _chain(first, batches, schema), spool)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return spool  # type: ignore[return-value]

    read_seekable = read

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
        self._query(path)
        return FileInfo(
            path=RemotePath._trusted(path),
            name=path.rpartition("/")[2],
            size=0,
            modified_at=_UNKNOWN_TIME,
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

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        depth = max_depth if max_depth is not None else (None if recursive else 0)
        base = len(path) + 1 if path else 0
        for key in self._below(path):
            if depth is None or key.count("/", base) <= depth:
                yield self.get_file_info(key)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        for entry in self.iter_children(path):
            if isinstance(entry, FolderEntry):
                yield entry

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        base = len(path) + 1 if path else 0
        entries: dict[str, FileInfo | FolderEntry] = {}
        for key in self._below(path):
            head, sep, _ = key[base:].partition("/")
            if sep:
                folder = join_key(path, head)
                entries.setdefault(folder + "/", FolderEntry(RemotePath._trusted(folder), head))
            else:
                entries[key] = self.get_file_info(key)
        for order in sorted(entries):
            yield entries[order]

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return glob_by_listing(self, pattern)

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
