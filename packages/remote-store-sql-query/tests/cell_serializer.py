"""A test-only serializer: a result of exactly one BLOB cell, written byte for byte.

Standalone (no package-relative imports) so a seeding module of a command-line run can
import it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import pyarrow as pa
from remote_store_sql_query import ResultSerializer

__all__ = ["CellSerializer"]


class CellSerializer(ResultSerializer):
    """Test-only format ``cell``: the result's single BLOB cell, byte for byte."""

    formats = {".bin": "cell", ".txt": "cell"}

    def serialize(
        self, fmt: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch], sink: IO[bytes]
    ) -> None:
        if fmt != "cell" or len(schema) != 1:
            raise ValueError(f"CellSerializer writes one column as 'cell', not {fmt!r}")
        cells = 0
        for batch in batches:
            for value in batch.column(0).to_pylist():
                cells += 1
                if cells > 1 or not isinstance(value, bytes):
                    raise ValueError("CellSerializer needs exactly one non-NULL BLOB cell")
                sink.write(value)
        if cells != 1:
            raise ValueError("CellSerializer needs exactly one BLOB cell")
