"""What s3-pyarrow adds over s3: Arrow-native reads and the pyarrow handle."""

from __future__ import annotations

from typing import Any

import pytest
from remote_store import Store
from remote_store.errors import NotFound
from remote_store_s3_pyarrow import S3PyArrowBackend


@pytest.fixture
def store(moto_process: Any) -> Store:
    backend = S3PyArrowBackend(
        bucket=moto_process.new_bucket(), endpoint_url=moto_process.url, key="x", secret="y"
    )
    return Store(backend)


def test_reads_are_pyarrow_files_and_seek(store: Store) -> None:
    import pyarrow as pa

    store.write("a/b.bin", bytes(range(100)))
    backend = store.backend
    assert isinstance(backend, S3PyArrowBackend)
    raw = backend.read("a/b.bin")
    assert isinstance(raw.native, pa.NativeFile)  # type: ignore[attr-defined]
    raw.close()
    with store.read_seekable("a/b.bin") as stream:
        stream.seek(90)
        assert stream.read() == bytes(range(90, 100))
    assert store.read_bytes("a/b.bin") == bytes(range(100))
    with pytest.raises(NotFound):
        store.read("missing")


def test_unwrap_gives_an_arrow_filesystem_for_datasets(store: Store) -> None:
    import pyarrow as pa
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq

    table = pa.table({"x": [1, 2, 3]})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    store.write("t/data.parquet", sink.getvalue().to_pybytes())
    arrow_fs = store.unwrap(pafs.FileSystem)
    backend = store.backend
    assert isinstance(backend, S3PyArrowBackend)
    read = pq.read_table(backend.native_path("t/data.parquet"), filesystem=arrow_fs)
    assert read.equals(table)
    assert "conformance" not in repr(backend) and repr(backend).startswith("S3PyArrowBackend(")
