"""remote-store backends on obstore (Rust ``object_store``): S3, Azure Blob Storage, GCS.

* :class:`S3ObstoreBackend`, :class:`AzureObstoreBackend`, :class:`GcsObstoreBackend`:
  the sync backends (types ``s3-obstore``, ``azure-obstore``, ``gcs-obstore``).
* :class:`AsyncS3ObstoreBackend`, :class:`AsyncAzureObstoreBackend`,
  :class:`AsyncGcsObstoreBackend`: the async ones, on obstore's async API (imported on
  first use, so that sync code does not load asyncio and the async core).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from remote_store_obstore._backend import ObstoreBackend
from remote_store_obstore._services import (
    AzureObstoreBackend,
    GcsObstoreBackend,
    S3ObstoreBackend,
)

if TYPE_CHECKING:
    from remote_store_obstore._async_backend import AsyncObstoreBackend
    from remote_store_obstore._async_services import (
        AsyncAzureObstoreBackend,
        AsyncGcsObstoreBackend,
        AsyncS3ObstoreBackend,
    )

__all__ = [
    "AsyncAzureObstoreBackend",
    "AsyncGcsObstoreBackend",
    "AsyncObstoreBackend",
    "AsyncS3ObstoreBackend",
    "AzureObstoreBackend",
    "GcsObstoreBackend",
    "ObstoreBackend",
    "S3ObstoreBackend",
]

_ASYNC = {
    "AsyncObstoreBackend": "remote_store_obstore._async_backend",
    "AsyncS3ObstoreBackend": "remote_store_obstore._async_services",
    "AsyncAzureObstoreBackend": "remote_store_obstore._async_services",
    "AsyncGcsObstoreBackend": "remote_store_obstore._async_services",
}


def __getattr__(name: str) -> Any:
    module = _ASYNC.get(name)
    if module is None:
        raise AttributeError(f"module 'remote_store_obstore' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
