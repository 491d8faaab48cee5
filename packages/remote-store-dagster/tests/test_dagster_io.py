"""Dagster jobs through the IO managers, with dagster's own test utilities."""

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import (
    AssetExecutionContext,
    AssetKey,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
    build_input_context,
    build_output_context,
    materialize,
)
from remote_store import Store
from remote_store.backends import MemoryBackend
from remote_store_dagster import (
    DagsterStoreResource,
    RemoteStoreIOManager,
    dagster_dataset_io_manager,
    dagster_io_manager,
)
from remote_store_dagster.serializers import JsonSerializer, get_serializer

REGIONS = StaticPartitionsDefinition(["eu", "us"])


@asset(partitions_def=REGIONS)
def sales(context: AssetExecutionContext) -> pa.Table:
    amounts = [1, 2, 3] if context.partition_key == "eu" else [10, 20]
    return pa.table({"region": [context.partition_key] * len(amounts), "amount": amounts})


@asset
def summary(sales: dict[str, pa.Table]) -> dict[str, int]:
    return {region: sum(table.column("amount").to_pylist()) for region, table in sales.items()}


def test_the_old_import_path_gives_the_same_objects() -> None:
    from remote_store.ext import dagster as ext

    assert getattr(ext, "dagster_io_manager") is dagster_io_manager  # noqa: B009
    assert {"RemoteStoreComputeLogManager", "Serializer", "PickleSerializer"} <= set(ext.__all__)


def test_a_partitioned_and_a_plain_asset_materialise_and_read_back() -> None:
    store = Store(MemoryBackend())
    resources = {"io_manager": dagster_io_manager(store)}
    for region in ("eu", "us"):
        result = materialize([sales], partition_key=region, resources=resources)
        assert result.success
    result = materialize([sales, summary], selection=[summary], resources=resources)
    assert result.success
    assert result.output_for_node("summary") == {"eu": 6, "us": 30}

    files = sorted(str(info.path) for info in store.list_files("", recursive=True))
    assert files == ["sales/eu.parquet", "sales/us.parquet", "summary.json"]
    eu = pq.read_table(io.BytesIO(store.read_bytes("sales/eu.parquet")))
    assert eu.column("amount").to_pylist() == [1, 2, 3]
    assert json.loads(store.read_text("summary.json")) == {"eu": 6, "us": 30}

    manager = dagster_io_manager(store)
    loaded = manager.load_input(build_input_context(asset_key=AssetKey("summary")))
    assert loaded == {"eu": 6, "us": 30}
    one = manager.load_input(
        build_input_context(
            asset_key=AssetKey("sales"), partition_key="us", asset_partitions_def=REGIONS
        )
    )
    assert one.column("amount").to_pylist() == [10, 20]


def test_the_default_serializer_never_pickles() -> None:
    store = Store(MemoryBackend())
    key = AssetKey(["raw", "ids"])
    with pytest.raises(TypeError, match="pickle"):
        dagster_io_manager(store).handle_output(build_output_context(asset_key=key), {1, 2, 3})
    assert list(store.list_files("", recursive=True)) == []
    pickled = dagster_io_manager(store, serializer="pickle")
    pickled.handle_output(build_output_context(asset_key=key), {1, 2, 3})
    assert store.is_file("raw/ids.pkl")
    loaded = pickled.load_input(build_input_context(asset_key=AssetKey(["raw", "ids"])))
    assert loaded == {1, 2, 3}


def test_serializers_by_name_and_custom() -> None:
    class Lines:
        extension = ".txt"

        def dump(self, obj: Any, stream: Any) -> None:
            stream.write("\n".join(obj).encode())

        def load(self, stream: Any) -> Any:
            return stream.read().decode().split("\n")

    store = Store(MemoryBackend())
    manager = dagster_io_manager(store, serializer=Lines())
    manager.handle_output(build_output_context(asset_key=AssetKey("words")), ["a", "b"])
    assert store.read_text("words.txt") == "a\nb"
    assert manager.load_input(build_input_context(asset_key=AssetKey("words"))) == ["a", "b"]
    assert isinstance(get_serializer("json"), JsonSerializer)
    with pytest.raises(ValueError, match="unknown serializer"):
        get_serializer("yaml")


def test_multi_partition_keys_map_to_hive_paths() -> None:
    store = Store(MemoryBackend())
    definition = MultiPartitionsDefinition(
        {"date": StaticPartitionsDefinition(["2024-01-01"]), "region": REGIONS}
    )
    key = MultiPartitionKey({"date": "2024-01-01", "region": "eu"})
    manager = dagster_io_manager(store)
    manager.handle_output(
        build_output_context(
            asset_key=AssetKey("m"), partition_key=key, asset_partitions_def=definition
        ),
        [1, 2],
    )
    assert store.is_file("m/date=2024-01-01/region=eu.json")


def test_configured_io_manager_and_resource_on_a_local_store(tmp_path: Path) -> None:
    options = {"root": str(tmp_path)}

    @asset
    def report(files: DagsterStoreResource) -> pa.Table:
        files.get_store().write("inputs/seed.txt", b"seed", overwrite=True)
        return pa.table({"n": [1, 2, 3]})

    @asset
    def report_size(report: pa.Table) -> int:
        return int(report.num_rows)

    result = materialize(
        [report, report_size],
        resources={
            "io_manager": RemoteStoreIOManager(
                backend_type="local", backend_options=options, root_path="warehouse"
            ),
            "files": DagsterStoreResource(backend_type="local", backend_options=options),
        },
    )
    assert result.success
    assert (tmp_path / "inputs" / "seed.txt").read_bytes() == b"seed"
    assert pq.read_table(tmp_path / "warehouse" / "report.parquet").num_rows == 3
    assert json.loads((tmp_path / "warehouse" / "report_size.json").read_text()) == 3


def test_the_dataset_io_manager_swaps_datasets_on_rematerialisation() -> None:
    store = Store(MemoryBackend())
    manager = dagster_dataset_io_manager(store)
    key = AssetKey(["lake", "t"])
    manager.handle_output(build_output_context(asset_key=key), pa.table({"v": [1]}))
    manager.handle_output(build_output_context(asset_key=key), pa.table({"v": [2, 3]}))
    names = sorted(info.name for info in store.list_files("lake/t"))
    assert names[:2] == ["_SUCCESS", "manifest.json"]
    assert len(names) == 3
    back = manager.load_input(build_input_context(asset_key=AssetKey(["lake", "t"])))
    assert back.column("v").to_pylist() == [2, 3]
