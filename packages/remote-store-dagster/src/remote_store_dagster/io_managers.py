"""Dagster IO managers and a resource over remote-store stores.

Paths (relative to the store):

* an asset ``["sales", "daily"]`` → ``sales/daily`` + the serializer's extension;
* a partition ``2024-01-01`` of it → ``sales/daily/2024-01-01.json``; a multi-partition key
  → ``sales/daily/date=2024-01-01/region=eu.json`` (values escaped like Hive partitions);
* an op output (no asset) → ``<run_id>/<step_key>/<output name>``.

Loading an input that spans several upstream partitions (for example an unpartitioned
asset reading a partitioned one) gives a ``dict`` from partition key to value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import (
    ConfigurableIOManager,
    ConfigurableResource,
    InitResourceContext,
    InputContext,
    IOManager,
    OutputContext,
)
from pydantic import PrivateAttr
from remote_store import Capability, Registry, RegistryConfig, Store
from remote_store.backend import spool
from remote_store.ext.partition import escape_partition_part

from remote_store_dagster.serializers import AutoSerializer, Serializer, get_serializer

__all__ = [
    "DagsterStoreResource",
    "RemoteStoreIOManager",
    "StoreIOManager",
    "dagster_dataset_io_manager",
    "dagster_io_manager",
]


def build_store(backend_type: str, backend_options: Mapping[str, Any], root_path: str) -> Registry:
    """A one-store registry (``get_store("main")``) for a backend type and its options."""
    config = RegistryConfig.from_dict(
        {
            "backends": {"main": {"type": backend_type, "options": dict(backend_options)}},
            "stores": {"main": {"backend": "main", "root_path": root_path}},
        }
    )
    return Registry(config)


def _partition_segment(key: Any) -> str:
    by_dimension = getattr(key, "keys_by_dimension", None)
    if by_dimension:
        return "/".join(
            f"{escape_partition_part(d)}={escape_partition_part(v)}"
            for d, v in sorted(by_dimension.items())
        )
    return escape_partition_part(str(key))


class StoreIOManager(IOManager):
    """Stores each output as one file in ``store`` with ``serializer`` (default ``"auto"``:
    Parquet for tables and data frames, JSON otherwise, never pickle)."""

    def __init__(self, store: Store, serializer: str | Serializer = "auto") -> None:
        self.store = store
        self.serializer = get_serializer(serializer)

    # -- paths ------------------------------------------------------------------------

    @staticmethod
    def _base(context: OutputContext | InputContext) -> str:
        output = context if isinstance(context, OutputContext) else context.upstream_output
        if context.has_asset_key:
            return "/".join(context.asset_key.path)
        assert output is not None
        return f"{output.run_id}/{output.step_key}/{output.name}"

    @staticmethod
    def _partitions(context: OutputContext | InputContext) -> list[str]:
        if not context.has_asset_key or not context.has_asset_partitions:
            return []
        return list(context.asset_partition_keys)

    # -- output -----------------------------------------------------------------------

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj`` (nothing for ``None``; a dict per partition for a multi-partition
        run)."""
        if obj is None:
            return
        base = self._base(context)
        keys = self._partitions(context)
        if len(keys) > 1:
            if not isinstance(obj, Mapping):
                raise TypeError("an output for several partitions must map partition -> value")
            for key in keys:
                self._dump(f"{base}/{_partition_segment(key)}", obj[key])
            return
        path = f"{base}/{_partition_segment(keys[0])}" if keys else base
        written = self._dump(path, obj)
        context.add_output_metadata({"path": written, "store": repr(self.store)})

    def _dump(self, base: str, obj: Any) -> str:
        serializer = self.serializer
        if isinstance(serializer, AutoSerializer):
            serializer = serializer.for_value(obj)
        path = base + serializer.extension
        self._write(path, lambda stream: serializer.dump(obj, stream))
        return path

    def _write(self, path: str, fill: Any) -> None:
        if self.store.supports(Capability.ATOMIC_WRITE):
            with self.store.open_atomic(path, overwrite=True) as stream:
                fill(stream)
            return
        with spool(b"") as buffer:
            fill(buffer)
            buffer.seek(0)
            self.store.write(path, buffer, overwrite=True)

    # -- input ------------------------------------------------------------------------

    def load_input(self, context: InputContext) -> Any:
        """The stored value; a ``dict`` by partition key when the input spans several."""
        base = self._base(context)
        keys = self._partitions(context)
        if not keys:
            return self._load(base)
        if len(keys) == 1 and context.has_partition_key:
            return self._load(f"{base}/{_partition_segment(keys[0])}")
        return {key: self._load(f"{base}/{_partition_segment(key)}") for key in keys}

    def _load(self, base: str) -> Any:
        serializers: tuple[Serializer, ...] = (self.serializer,)
        if isinstance(self.serializer, AutoSerializer):
            serializers = self.serializer.candidates
        for serializer in serializers:
            path = base + serializer.extension
            if len(serializers) == 1 or self.store.is_file(path):
                with self.store.read_seekable(path) as stream:
                    return serializer.load(stream)
        from remote_store.errors import NotFound

        raise NotFound(f"no stored value for {base!r}", path=base)


class _DatasetIOManager(StoreIOManager):
    """Tables as manifest-described Parquet datasets (``remote-store-arrow``)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, "parquet")
        from remote_store_arrow.parquet import ParquetDatasetStore

        self.datasets = ParquetDatasetStore(store)

    def _dump(self, base: str, obj: Any) -> str:
        import pyarrow as pa

        if not isinstance(obj, pa.Table):
            obj = pa.Table.from_pandas(obj)
        self.datasets.write_dataset(obj, base, overwrite=True)
        return base

    def _load(self, base: str) -> Any:
        return self.datasets.read_dataset(base)


def dagster_io_manager(store: Store, *, serializer: str | Serializer = "auto") -> StoreIOManager:
    """An IO manager storing outputs in ``store`` (which it does not close)."""
    return StoreIOManager(store, serializer)


def dagster_dataset_io_manager(store: Store) -> StoreIOManager:
    """An IO manager storing pyarrow tables (or data frames) as Parquet datasets with a
    manifest; an overwrite (re-materialisation) swaps the dataset atomically."""
    return _DatasetIOManager(store)


class DagsterStoreResource(ConfigurableResource):  # type: ignore[type-arg]
    """A Store built from configuration, opened for a run and closed after it."""

    backend_type: str
    backend_options: dict[str, Any] = {}
    root_path: str = ""

    _registry: Registry | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Build the backend."""
        self._registry = build_store(self.backend_type, self.backend_options, self.root_path)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Close the backend."""
        if self._registry is not None:
            self._registry.close()
            self._registry = None

    def get_store(self) -> Store:
        """The configured store."""
        if self._registry is None:
            self._registry = build_store(self.backend_type, self.backend_options, self.root_path)
        return self._registry.get_store("main")


class RemoteStoreIOManager(ConfigurableIOManager):
    """A configurable IO manager: backend type, options, root and serializer (``auto``,
    ``json``, ``parquet``, ``parquet-dataset`` or ``pickle``)."""

    backend_type: str
    backend_options: dict[str, Any] = {}
    root_path: str = ""
    serializer: str = "auto"

    _registry: Registry | None = PrivateAttr(default=None)
    _manager: StoreIOManager | None = PrivateAttr(default=None)

    def _delegate(self) -> StoreIOManager:
        if self._manager is None:
            self._registry = build_store(self.backend_type, self.backend_options, self.root_path)
            store = self._registry.get_store("main")
            if self.serializer == "parquet-dataset":
                self._manager = _DatasetIOManager(store)
            else:
                self._manager = StoreIOManager(store, self.serializer)
        return self._manager

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Build the backend."""
        self._delegate()

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Close the backend."""
        if self._registry is not None:
            self._registry.close()
        self._registry = self._manager = None

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """See :meth:`StoreIOManager.handle_output`."""
        self._delegate().handle_output(context, obj)

    def load_input(self, context: InputContext) -> Any:
        """See :meth:`StoreIOManager.load_input`."""
        return self._delegate().load_input(context)
