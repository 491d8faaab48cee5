"""remote-store-dagster: Dagster IO managers, a Store resource and a compute-log manager
(also importable as ``remote_store.ext.dagster``).

The default serializer is ``"auto"`` (Parquet for tables and data frames, JSON for other
values); pickle is used only when asked for (``serializer="pickle"``).
"""

from remote_store_dagster.compute_logs import RemoteStoreComputeLogManager
from remote_store_dagster.io_managers import (
    DagsterStoreResource,
    RemoteStoreIOManager,
    StoreIOManager,
    dagster_dataset_io_manager,
    dagster_io_manager,
)
from remote_store_dagster.serializers import (
    AutoSerializer,
    JsonSerializer,
    ParquetSerializer,
    PickleSerializer,
    Serializer,
)

__all__ = [
    "AutoSerializer",
    "DagsterStoreResource",
    "JsonSerializer",
    "ParquetSerializer",
    "PickleSerializer",
    "RemoteStoreComputeLogManager",
    "RemoteStoreIOManager",
    "Serializer",
    "StoreIOManager",
    "dagster_dataset_io_manager",
    "dagster_io_manager",
]
