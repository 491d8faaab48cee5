"""Serialisers: turn a stream of Arrow record batches into the bytes of a file format."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping
from typing import IO

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as pa_ipc
import pyarrow.parquet as pq

__all__ = ["ArrowSerializer", "ResultSerializer"]


class ResultSerializer(abc.ABC):
    """Writes a query result, given as Arrow record batches, in the format of a key."""

    #: File suffix (lower case, with the dot) -> format name.
    formats: Mapping[str, str] = {}

    def format_of(self, key: str) -> str | None:
        """The format a key asks for (by suffix), or ``None`` when it names none."""
        name = key.rpartition("/")[2].lower()
        for suffix, fmt in self.formats.items():
            if name.endswith(suffix) and len(name) > len(suffix):
                return fmt
        return None

    @abc.abstractmethod
    def serialize(
        self, fmt: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch], sink: IO[bytes]
    ) -> None:
        """Write ``batches`` (all of ``schema``) to ``sink``, one batch at a time.

        ``sink`` supports ``write`` and ``tell`` only (it may be a byte counter used to
        compute a file's size), so never seek it; the same rows must give the same bytes.
        """


class ArrowSerializer(ResultSerializer):
    """Parquet (``.parquet``), CSV with a header (``.csv``) and Arrow IPC files
    (``.arrow``, ``.ipc``), each written batch by batch."""

    formats = {".parquet": "parquet", ".csv": "csv", ".arrow": "ipc", ".ipc": "ipc"}

    def __init__(self, *, parquet_compression: str = "zstd") -> None:
        self._compression = parquet_compression

    def serialize(
        self, fmt: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch], sink: IO[bytes]
    ) -> None:
        if fmt == "parquet":
            with pq.ParquetWriter(sink, schema, compression=self._compression) as writer:
                for batch in batches:
                    writer.write_batch(batch)
        elif fmt == "csv":
            with pa_csv.CSVWriter(sink, schema) as writer:
                for batch in batches:
                    writer.write_batch(batch)
        elif fmt == "ipc":
            with pa_ipc.new_file(sink, schema) as writer:
                for batch in batches:
                    writer.write_batch(batch)
        else:
            raise ValueError(f"ArrowSerializer cannot write {fmt!r}")
