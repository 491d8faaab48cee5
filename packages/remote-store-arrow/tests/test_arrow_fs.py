"""pyarrow_fs / StoreFileSystemHandler with real pyarrow: datasets, files, errors, tiers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from remote_store import Capability, CapabilitySet, ProxyStore, Store
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.errors import NotFound
from remote_store_arrow import _io
from remote_store_arrow._io import close_open_streams, open_stream_count
from remote_store_arrow.arrow import StoreFileSystemHandler, pyarrow_fs


def _table(rows: int = 1000) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "part": pa.array([f"p{i % 3}" for i in range(rows)]),
            "value": pa.array([i * 0.5 for i in range(rows)]),
        }
    )


def test_the_old_import_path_gives_the_same_objects() -> None:
    from remote_store.ext import arrow

    assert getattr(arrow, "pyarrow_fs") is pyarrow_fs  # noqa: B009 - set at import time
    assert getattr(arrow, "StoreFileSystemHandler") is StoreFileSystemHandler  # noqa: B009
    assert sorted(arrow.__all__) == ["StoreFileSystemHandler", "pyarrow_fs"]


def test_a_hive_partitioned_dataset_round_trips_through_a_memory_store(store: Store) -> None:
    fs = pyarrow_fs(store)
    assert isinstance(fs, pafs.PyFileSystem)
    table = _table()
    ds.write_dataset(
        table,
        "sales",
        format="parquet",
        filesystem=fs,
        partitioning=["part"],
        partitioning_flavor="hive",
    )
    names = sorted(str(info.path) for info in store.list_files("sales", recursive=True))
    assert names == [f"sales/part=p{i}/part-0.parquet" for i in range(3)]
    back = ds.dataset("sales", filesystem=fs, format="parquet", partitioning="hive").to_table()
    assert (
        back.sort_by("id").select(["id", "value", "part"]).to_pylist()
        == table.select(["id", "value", "part"]).to_pylist()
    )


def test_paths_are_relative_to_the_store_root(store: Store) -> None:
    child = store.child("tenant")
    pq.write_table(_table(10), "/t.parquet", filesystem=pyarrow_fs(child))
    assert store.is_file("tenant/t.parquet")
    assert pq.read_table("t.parquet", filesystem=pyarrow_fs(child)).num_rows == 10


def test_file_info_reports_files_folders_and_missing_paths(store: Store) -> None:
    store.write("a/b/c.bin", b"12345")
    fs = pyarrow_fs(store)
    file, folder, missing, root = fs.get_file_info(["a/b/c.bin", "a/b", "nope", ""])
    assert (file.type, file.size) == (pafs.FileType.File, 5)
    assert file.mtime is not None
    assert folder.type == pafs.FileType.Directory
    assert missing.type == pafs.FileType.NotFound
    assert root.type == pafs.FileType.Directory


def test_selectors_list_children_or_the_whole_tree(store: Store) -> None:
    for name in ["a/1.bin", "a/x/2.bin", "a/x/y/3.bin", "b.bin"]:
        store.write(name, b"x")
    fs = pyarrow_fs(store)
    flat = fs.get_file_info(pafs.FileSelector("a"))
    assert sorted((i.path, i.type) for i in flat) == [
        ("a/1.bin", pafs.FileType.File),
        ("a/x", pafs.FileType.Directory),
    ]
    deep = fs.get_file_info(pafs.FileSelector("a", recursive=True))
    assert sorted(i.path for i in deep) == ["a/1.bin", "a/x", "a/x/2.bin", "a/x/y", "a/x/y/3.bin"]
    assert fs.get_file_info(pafs.FileSelector("zz", allow_not_found=True)) == []
    with pytest.raises(FileNotFoundError):
        fs.get_file_info(pafs.FileSelector("zz"))
    with pytest.raises(NotADirectoryError):
        fs.get_file_info(pafs.FileSelector("b.bin"))


def test_errors_are_the_builtins_pyarrow_expects_with_the_typed_cause(store: Store) -> None:
    store.write("d/f.bin", b"x")
    fs = pyarrow_fs(store)
    with pytest.raises(FileNotFoundError) as missing:
        fs.open_input_file("nope.bin")
    assert isinstance(missing.value.__cause__, NotFound)
    with pytest.raises(FileNotFoundError):
        fs.open_input_stream("nope.bin")
    with pytest.raises(FileNotFoundError):
        fs.delete_file("nope.bin")
    with pytest.raises(FileNotFoundError):
        fs.delete_dir("nope")
    with pytest.raises(FileNotFoundError):
        pq.read_table("nope.parquet", filesystem=fs)
    with pytest.raises(IsADirectoryError):
        fs.open_input_stream("d")
    with pytest.raises(NotImplementedError):
        fs.open_append_stream("d/f.bin")


def test_move_copy_and_deletes(store: Store) -> None:
    for name in ["src/a.bin", "src/sub/b.bin", "keep/c.bin"]:
        store.write(name, name.encode())
    fs = pyarrow_fs(store)
    fs.copy_file("keep/c.bin", "keep/c2.bin")
    assert store.read_bytes("keep/c2.bin") == b"keep/c.bin"
    fs.move("src", "dst")
    assert not store.exists("src")
    assert store.read_bytes("dst/sub/b.bin") == b"src/sub/b.bin"
    fs.move("keep/c2.bin", "keep/c3.bin")
    assert sorted(i.name for i in store.list_files("keep")) == ["c.bin", "c3.bin"]
    fs.delete_dir_contents("dst")
    assert list(store.list_files("dst", recursive=True)) == []
    fs.delete_dir_contents("gone", missing_dir_ok=True)
    fs.delete_dir("keep")
    assert not store.exists("keep")
    store.write("z.bin", b"z")
    fs.delete_dir_contents("/", accept_root_dir=True)
    assert list(store.list_files("", recursive=True)) == []


def test_an_output_stream_appears_whole_on_close_and_replaces(store: Store) -> None:
    store.write("f.bin", b"old")
    fs = pyarrow_fs(store)
    with fs.open_output_stream("f.bin") as out:
        out.write(b"new ")
        assert store.read_bytes("f.bin") == b"old"
        out.write(b"content")
    assert store.read_bytes("f.bin") == b"new content"
    assert open_stream_count() == 0


def test_an_abandoned_output_stream_commits_nothing(store: Store) -> None:
    fs = pyarrow_fs(store)
    out = fs.open_output_stream("never.bin")
    out.write(b"partial")
    assert open_stream_count() == 1
    close_open_streams()  # what the atexit hook does
    assert open_stream_count() == 0
    assert not store.exists("never.bin")


class _NoAtomic(MemoryBackend):
    CAPABILITIES = CapabilitySet(set(MemoryBackend.CAPABILITIES) - {Capability.ATOMIC_WRITE})

    @property
    def capabilities(self) -> CapabilitySet:
        return self.CAPABILITIES


def test_without_atomic_writes_a_spool_spills_to_disk_past_the_threshold() -> None:
    store = Store(_NoAtomic())
    assert not store.supports(Capability.ATOMIC_WRITE)
    handler = StoreFileSystemHandler(store, write_spill_threshold=1024)
    fs = pafs.PyFileSystem(handler)
    out = fs.open_output_stream("big.bin")
    payload = bytes(range(256)) * 64  # 16 KiB
    out.write(payload)
    (writer,) = list(_io._OPEN)
    assert writer._spool._rolled  # type: ignore[attr-defined]  # spilled to a file
    assert not store.exists("big.bin")
    out.close()
    assert store.read_bytes("big.bin") == payload


class _Counting(ProxyStore):
    """Counts how the bridge reads: whole-file reads and the bytes pulled from streams."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.calls: list[str] = []
        self.bytes_read = 0

    def read_bytes(self, path: str) -> bytes:
        self.calls.append("read_bytes")
        return super().read_bytes(path)

    def read_seekable(self, path: str) -> BinaryIO:
        self.calls.append("read_seekable")
        return _CountingStream(super().read_seekable(path), self)  # type: ignore[return-value]


class _CountingStream:
    def __init__(self, inner: BinaryIO, owner: _Counting) -> None:
        self._inner, self._owner = inner, owner

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._owner.bytes_read += len(data)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_large_files_are_range_read_through_read_seekable(store: Store) -> None:
    wide = pa.table({f"c{i}": pa.array(range(i, i + 50_000), pa.int64()) for i in range(8)})
    pq.write_table(wide, "wide.parquet", filesystem=pyarrow_fs(store), compression="none")
    size = store.get_file_info("wide.parquet").size
    counting = _Counting(store)
    fs = pyarrow_fs(counting, materialization_threshold=64 * 1024)
    column = pq.read_table("wide.parquet", filesystem=fs, columns=["c3"])
    assert column.column("c3").to_pylist()[:3] == [3, 4, 5]
    assert "read_bytes" not in counting.calls
    assert "read_seekable" in counting.calls
    assert 0 < counting.bytes_read < size / 4  # one column of eight, plus the footer


def test_small_files_are_read_whole_once(store: Store) -> None:
    pq.write_table(_table(100), "small.parquet", filesystem=pyarrow_fs(store))
    counting = _Counting(store)
    assert pq.read_table("small.parquet", filesystem=pyarrow_fs(counting)).num_rows == 100
    assert counting.calls  # pyarrow opens the file for the schema, then for the scan
    assert set(counting.calls) == {"read_bytes"}


class _NativeLocal(LocalBackend):
    """A local backend that hands out pyarrow's own LocalFileSystem, like s3-pyarrow does."""

    def unwrap(self, type_hint: type[Any]) -> Any:
        if type_hint is pafs.FileSystem:
            return pafs.LocalFileSystem()
        return super().unwrap(type_hint)


def test_a_native_filesystem_is_used_with_the_store_root_applied(tmp_path: Path) -> None:
    (tmp_path / "scoped").mkdir()
    store = Store(_NativeLocal(root=str(tmp_path)), "scoped")
    fs = pyarrow_fs(store)
    assert isinstance(fs, pafs.SubTreeFileSystem)
    pq.write_table(_table(5), "t.parquet", filesystem=fs)
    assert (tmp_path / "scoped" / "t.parquet").is_file()
    assert store.is_file("t.parquet")
    assert isinstance(pyarrow_fs(store, native=False), pafs.PyFileSystem)
    observed = ProxyStore(store)  # middleware must see the traffic: never bypassed
    assert isinstance(pyarrow_fs(observed), pafs.PyFileSystem)


def test_a_store_without_a_native_filesystem_gets_the_handler(tmp_path: Path) -> None:
    fs = pyarrow_fs(Store(LocalBackend(root=str(tmp_path))))
    assert isinstance(fs, pafs.PyFileSystem)
    assert fs.type_name == "py::remote-store+local"
    handler = fs.handler
    assert handler == StoreFileSystemHandler(handler.store)
    with pytest.raises(ValueError):
        StoreFileSystemHandler(handler.store, materialization_threshold=-1)


def test_a_partitioned_dataset_round_trips_through_an_s3_store_on_moto(s3_store: Store) -> None:
    fs = pyarrow_fs(s3_store)
    table = _table(3000)
    ds.write_dataset(
        table,
        "events",
        format="parquet",
        filesystem=fs,
        partitioning=["part"],
        partitioning_flavor="hive",
    )
    listed = sorted(str(i.path) for i in s3_store.list_files("events", recursive=True))
    assert listed == [f"events/part=p{i}/part-0.parquet" for i in range(3)]
    back = ds.dataset("events", filesystem=fs, format="parquet", partitioning="hive").to_table()
    assert back.num_rows == 3000
    assert sorted(back.column("id").to_pylist()) == list(range(3000))
    single = pq.read_table("events/part=p1/part-0.parquet", filesystem=fs, columns=["id"])
    assert single.num_rows == 1000
