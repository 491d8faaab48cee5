"""ParquetDatasetStore: layout, manifest, refusals, failed writes, and the atomic overwrite."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from remote_store import Capability, CapabilitySet, ProxyStore, Store
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    CapabilityNotSupported,
    InvalidArgument,
    RemoteStoreError,
)
from remote_store_arrow.parquet import (
    DatasetIncomplete,
    DatasetManifest,
    ManifestCorrupted,
    ParquetDatasetStore,
)


def _version(version: int, rows: int | None = None) -> pa.Table:
    count = rows if rows is not None else version * 10
    return pa.table(
        {"id": pa.array(range(count), pa.int64()), "version": pa.array([version] * count)}
    )


def test_the_old_import_path_gives_the_same_objects() -> None:
    from remote_store.ext import parquet

    assert getattr(parquet, "ParquetDatasetStore") is ParquetDatasetStore  # noqa: B009
    assert sorted(parquet.__all__) == [
        "DatasetIncomplete",
        "DatasetManifest",
        "ManifestCorrupted",
        "ParquetDatasetStore",
    ]


def test_a_dataset_is_parts_a_manifest_and_a_success_marker(store: Store) -> None:
    datasets = ParquetDatasetStore(store, max_rows_per_file=40, row_group_size=10)
    manifest = datasets.write_dataset(
        _version(1, 100), "sales/2024", run_id="run-7", metadata={"owner": "team"}
    )
    assert len(manifest.parts) == 3
    assert (manifest.row_count, manifest.run_id, manifest.compression) == (100, "run-7", "zstd")
    assert manifest.metadata == {"owner": "team"}
    names = sorted(info.name for info in store.list_files("sales/2024"))
    assert names == sorted(["_SUCCESS", "manifest.json", *manifest.parts])
    assert store.read_bytes("sales/2024/_SUCCESS") == b""
    assert datasets.read_manifest("sales/2024") == manifest
    assert datasets.dataset_exists("sales/2024")
    assert datasets.read_dataset("sales/2024").equals(_version(1, 100))
    assert datasets.read_dataset("sales/2024", columns=["id"]).column_names == ["id"]


def test_an_empty_table_keeps_its_schema(store: Store) -> None:
    datasets = ParquetDatasetStore(store, compression=None)
    datasets.write_dataset(_version(1, 0), "empty")
    back = datasets.read_dataset("empty")
    assert back.num_rows == 0
    assert back.schema.equals(_version(1, 0).schema)


def test_manifest_json_round_trips_and_rejects_damage() -> None:
    manifest = DatasetManifest("k", ("part-1.parquet",), 3, "abc", "zstd", "2024-01-01T00:00:00")
    assert DatasetManifest.from_json(manifest.to_json()) == manifest
    for bad, reason in [
        ("{not json", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"parts": []}', "lacks the field"),
        (manifest.to_json().replace('"row_count": 3', '"row_count": "3"'), "row_count"),
        (manifest.to_json().replace("part-1.parquet", "../x.parquet"), "invalid part"),
    ]:
        with pytest.raises(ManifestCorrupted) as caught:
            DatasetManifest.from_json(bad)
        assert reason in caught.value.reason
    error = pickle.loads(pickle.dumps(ManifestCorrupted("r", path="p")))
    assert (error.reason, error.path) == ("r", "p")


def test_refusals(store: Store) -> None:
    datasets = ParquetDatasetStore(store)
    datasets.write_dataset(_version(1), "d")
    with pytest.raises(AlreadyExists):
        datasets.write_dataset(_version(2), "d")
    assert datasets.read_dataset("d").equals(_version(1))
    with pytest.raises(InvalidArgument):
        datasets.write_dataset(_version(1), "/")
    with pytest.raises(InvalidArgument):
        datasets.write_dataset({"id": [1]}, "x")
    with pytest.raises(InvalidArgument):
        ParquetDatasetStore(store, max_rows_per_file=0)


def test_reads_refuse_incomplete_or_corrupted_datasets(store: Store) -> None:
    datasets = ParquetDatasetStore(store)
    manifest = datasets.write_dataset(_version(1), "d")
    store.delete("d/_SUCCESS")
    with pytest.raises(DatasetIncomplete) as no_marker:
        datasets.read_dataset("d")
    assert "_SUCCESS" in no_marker.value.reason
    assert not datasets.dataset_exists("d")
    store.write("d/_SUCCESS", b"")
    store.delete(f"d/{manifest.parts[0]}")
    with pytest.raises(DatasetIncomplete) as no_part:
        datasets.read_dataset("d")
    assert "missing" in no_part.value.reason
    store.write("d/manifest.json", b"{broken", overwrite=True)
    with pytest.raises(ManifestCorrupted) as broken:
        datasets.read_dataset("d")
    assert broken.value.path == "d/manifest.json"
    with pytest.raises(DatasetIncomplete):
        datasets.read_manifest("nothing-here")
    assert isinstance(broken.value, RemoteStoreError)


def test_a_027_layout_is_read_and_replaced(store: Store) -> None:
    """0.27 wrote ``data.parquet`` and a manifest listing it; both are understood here."""
    import pyarrow.parquet as pq

    with store.open_atomic("old/data.parquet") as sink:
        pq.write_table(_version(1), sink)
    legacy = DatasetManifest("old", ("data.parquet",), 10, "h", "zstd", "2024-01-01T00:00:00")
    store.write("old/manifest.json", legacy.to_json().encode())
    store.write("old/_SUCCESS", b"")
    datasets = ParquetDatasetStore(store)
    assert datasets.read_dataset("old").equals(_version(1))
    datasets.write_dataset(_version(2), "old", overwrite=True)
    assert not store.exists("old/data.parquet")
    assert datasets.read_dataset("old").equals(_version(2))


def test_delete_dataset_removes_everything_and_is_idempotent(store: Store) -> None:
    datasets = ParquetDatasetStore(store)
    datasets.write_dataset(_version(1), "gone")
    datasets.delete_dataset("gone")
    assert not store.exists("gone")
    assert not datasets.dataset_exists("gone")
    datasets.delete_dataset("gone")


def test_overwrite_keeps_one_generation_of_parts(store: Store) -> None:
    datasets = ParquetDatasetStore(store, max_rows_per_file=7)
    for version in (1, 2, 3):
        manifest = datasets.write_dataset(_version(version), "d", overwrite=True)
    files = sorted(info.name for info in store.list_files("d"))
    assert files == sorted(["_SUCCESS", "manifest.json", *manifest.parts])
    assert datasets.read_dataset("d").equals(_version(3))


class _FailingPart(ProxyStore):
    """Fails the second part upload, like a connection lost mid-write."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.parts = 0

    def open_atomic(self, path: str, **options: Any) -> Any:
        if path.endswith(".parquet"):
            self.parts += 1
            if self.parts == 2:
                raise BackendUnavailable("connection lost", path=path)
        return super().open_atomic(path, **options)


def test_a_failed_overwrite_leaves_the_old_dataset_whole(store: Store) -> None:
    ParquetDatasetStore(store, max_rows_per_file=7).write_dataset(_version(1), "d")
    before = sorted(info.name for info in store.list_files("d"))
    failing = ParquetDatasetStore(_FailingPart(store), max_rows_per_file=7)
    with pytest.raises(BackendUnavailable):
        failing.write_dataset(_version(2), "d", overwrite=True)
    assert sorted(info.name for info in store.list_files("d")) == before
    assert ParquetDatasetStore(store).read_dataset("d").equals(_version(1))


class _OverwriteAfterManifestRead(ProxyStore):
    """Runs an overwrite right after the first manifest read: the reader then holds a
    manifest whose parts get deleted before it reads them."""

    def __init__(self, inner: Store, writer: ParquetDatasetStore) -> None:
        super().__init__(inner)
        self.writer = writer
        self.fired = False

    def read_bytes(self, path: str) -> bytes:
        data = super().read_bytes(path)
        if path.endswith("manifest.json") and not self.fired:
            self.fired = True
            self.writer.write_dataset(_version(2), "d", overwrite=True)
        return data


def test_a_reader_overtaken_by_an_overwrite_reads_the_new_version_whole(store: Store) -> None:
    writer = ParquetDatasetStore(store, max_rows_per_file=7)
    old = writer.write_dataset(_version(1), "d")
    racing = _OverwriteAfterManifestRead(store, writer)
    back = ParquetDatasetStore(racing).read_dataset("d")
    assert racing.fired
    assert back.equals(_version(2))
    # the documented window: the old manifest's parts are gone after the overwrite
    assert not any(store.exists(f"d/{part}") for part in old.parts)


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_readers_during_overwrites_always_see_one_complete_version(
    kind: str, tmp_path: Path
) -> None:
    """Two readers read in a loop while a writer overwrites 10 times. The writer waits until
    each reader has finished a read since its previous overwrite (so a reader is overtaken
    at most once per read, as with any real writer slower than a read), not for idleness:
    overwrites land while reads are in flight."""
    backend = MemoryBackend() if kind == "memory" else LocalBackend(root=str(tmp_path))
    store = Store(backend)
    datasets = ParquetDatasetStore(store, max_rows_per_file=7)
    datasets.write_dataset(_version(1), "d")
    stop = threading.Event()
    progress = threading.Condition()
    reads = [0, 0]
    versions_seen: set[int] = set()
    problems: list[str] = []

    def reader(index: int) -> None:
        while not stop.is_set():
            try:
                table = datasets.read_dataset("d")
            except Exception as exc:  # recorded, asserted below
                problems.append(repr(exc))
                break
            versions = set(table.column("version").to_pylist())
            if len(versions) != 1:
                problems.append(f"mixed versions {versions}")
                break
            (version,) = versions
            if table.column("id").to_pylist() != list(range(version * 10)):
                problems.append(f"version {version} incomplete: {table.num_rows} rows")
                break
            with progress:
                versions_seen.add(version)
                reads[index] += 1
                progress.notify_all()
        with progress:
            reads[index] = 1 << 30  # a stopped reader never holds the writer back
            progress.notify_all()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        for version in range(2, 12):
            with progress:
                floor = list(reads)

                def moved(floor: list[int] = floor) -> bool:
                    return all(r > m for r, m in zip(reads, floor, strict=True))

                progress.wait_for(moved, 60)
            datasets.write_dataset(_version(version), "d", overwrite=True)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert problems == []
    assert len(versions_seen) > 1
    assert datasets.read_dataset("d").equals(_version(11))


class _NoAtomic(MemoryBackend):
    @property
    def capabilities(self) -> CapabilitySet:
        return CapabilitySet(set(MemoryBackend.CAPABILITIES) - {Capability.ATOMIC_WRITE})


def test_a_store_without_atomic_writes_is_refused() -> None:
    with pytest.raises(CapabilityNotSupported):
        ParquetDatasetStore(Store(_NoAtomic())).write_dataset(_version(1), "d")


def test_a_dataset_round_trips_through_an_s3_store_on_moto(s3_store: Store) -> None:
    datasets = ParquetDatasetStore(s3_store, max_rows_per_file=500)
    table = _version(1, 1200)
    manifest = datasets.write_dataset(table, "events", run_id="r1")
    assert len(manifest.parts) == 3
    datasets.write_dataset(_version(2, 30), "events", overwrite=True)
    names = sorted(info.name for info in s3_store.list_files("events"))
    assert len(names) == 3  # _SUCCESS, manifest.json, the one new part
    assert datasets.read_dataset("events").equals(_version(2, 30))
