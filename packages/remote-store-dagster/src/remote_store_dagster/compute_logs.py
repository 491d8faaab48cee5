"""A Dagster compute-log manager that keeps captured stdout/stderr in a Store.

Configure it in ``dagster.yaml``::

    compute_logs:
      module: remote_store_dagster
      class: RemoteStoreComputeLogManager
      config:
        backend_type: s3
        backend_options: {bucket: my-bucket}
        prefix: dagster-logs
        upload_interval: 30

Logs are captured locally first (Dagster's local manager), then uploaded to
``<prefix>/storage/<log key>.<out|err>`` (``.partial`` while a step still runs); uploads
larger than Dagster's truncation limit are truncated, as with Dagster's cloud managers.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from typing import IO, Any

from dagster import Field, Permissive, StringSource
from dagster._core.storage.cloud_storage_compute_log_manager import (
    PollingComputeLogSubscriptionManager,
    TruncatingCloudStorageComputeLogManager,
)
from dagster._core.storage.compute_log_manager import ComputeIOType
from dagster._core.storage.local_compute_log_manager import (
    IO_TYPE_EXTENSION,
    LocalComputeLogManager,
)
from dagster._serdes import ConfigurableClass, ConfigurableClassData
from remote_store import Registry, Store

from remote_store_dagster.io_managers import build_store

__all__ = ["RemoteStoreComputeLogManager"]


class RemoteStoreComputeLogManager(
    TruncatingCloudStorageComputeLogManager,
    ConfigurableClass,
):
    """Compute logs uploaded to (and read back from) a store built from configuration."""

    def __init__(
        self,
        backend_type: str,
        backend_options: Mapping[str, Any] | None = None,
        root_path: str = "",
        prefix: str = "dagster",
        local_dir: str | None = None,
        upload_interval: int | None = None,
        inst_data: ConfigurableClassData | None = None,
    ) -> None:
        self._registry: Registry = build_store(backend_type, backend_options or {}, root_path)
        self._store: Store = self._registry.get_store("main")
        self._prefix = prefix.strip("/")
        self._local_manager = LocalComputeLogManager(
            local_dir or tempfile.mkdtemp(prefix="remote-store-compute-logs-")
        )
        self._upload_interval = upload_interval
        self._inst_data = inst_data
        self._subscription_manager = PollingComputeLogSubscriptionManager(self)  # type: ignore[no-untyped-call]
        super().__init__()  # type: ignore[no-untyped-call]

    # -- ConfigurableClass --------------------------------------------------------------

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        """The configuration this instance was built from."""
        return self._inst_data

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        """The ``dagster.yaml`` config schema."""
        return {
            "backend_type": StringSource,
            "backend_options": Field(
                Permissive(),  # type: ignore[no-untyped-call]
                is_required=False,
                default_value={},
            ),
            "root_path": Field(StringSource, is_required=False, default_value=""),
            "prefix": Field(StringSource, is_required=False, default_value="dagster"),
            "local_dir": Field(StringSource, is_required=False),
            "upload_interval": Field(int, is_required=False),
        }

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]
    ) -> RemoteStoreComputeLogManager:
        """Build from ``dagster.yaml``."""
        return cls(inst_data=inst_data, **config_value)

    # -- storage ------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The store the logs go to."""
        return self._store

    @property
    def local_manager(self) -> LocalComputeLogManager:
        """Dagster's local manager that captures the logs first."""
        return self._local_manager

    @property
    def upload_interval(self) -> int | None:
        """Seconds between partial uploads while a step runs (``None``: at the end only)."""
        return self._upload_interval

    def _key(self, log_key: Sequence[str], io_type: ComputeIOType, partial: bool = False) -> str:
        *namespace, base = log_key
        name = f"{base}.{IO_TYPE_EXTENSION[io_type]}" + (".partial" if partial else "")
        return "/".join([self._prefix, "storage", *namespace, name])

    def _upload_file_obj(
        self, data: IO[bytes], log_key: Sequence[str], io_type: ComputeIOType, partial: bool = False
    ) -> None:
        self._store.write(self._key(log_key, io_type, partial), data, overwrite=True)

    def cloud_storage_has_logs(
        self, log_key: Sequence[str], io_type: ComputeIOType, partial: bool = False
    ) -> bool:
        """Whether the store holds these logs."""
        return self._store.is_file(self._key(log_key, io_type, partial))

    def download_from_cloud_storage(
        self, log_key: Sequence[str], io_type: ComputeIOType, partial: bool = False
    ) -> None:
        """Copy the stored logs to the local manager's file (streamed)."""
        path = self._local_manager.get_captured_local_path(
            log_key, IO_TYPE_EXTENSION[io_type], partial=partial
        )
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with self._store.read(self._key(log_key, io_type, partial)) as source:
            with open(path, "wb") as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)

    def delete_logs(
        self, log_key: Sequence[str] | None = None, prefix: Sequence[str] | None = None
    ) -> None:
        """Delete the logs of one key (local and stored), or every log under a prefix."""
        self._local_manager.delete_logs(log_key=log_key, prefix=prefix)
        if log_key is not None:
            for io_type in (ComputeIOType.STDOUT, ComputeIOType.STDERR):
                for partial in (False, True):
                    self._store.delete(self._key(log_key, io_type, partial), missing_ok=True)
        elif prefix is not None:
            folder = "/".join([self._prefix, "storage", *prefix])
            self._store.delete_folder(folder, recursive=True, missing_ok=True)
        else:
            raise ValueError("delete_logs needs a log_key or a prefix")

    def display_path_for_type(self, log_key: Sequence[str], io_type: ComputeIOType) -> str:
        """The backend-native path of the stored logs."""
        return self._store.native_path(self._key(log_key, io_type))

    def download_url_for_type(self, log_key: Sequence[str], io_type: ComputeIOType) -> str | None:
        """No download URLs: stores have no portable URL for a file."""
        return None

    def on_subscribe(self, subscription: Any) -> None:
        """Poll the store for the subscribed logs."""
        self._subscription_manager.add_subscription(subscription)

    def on_unsubscribe(self, subscription: Any) -> None:
        """Stop polling for the logs."""
        self._subscription_manager.remove_subscription(subscription)

    def dispose(self) -> None:
        """Stop polling, release the local manager, close the backend."""
        self._subscription_manager.dispose()
        self._local_manager.dispose()
        self._registry.close()
