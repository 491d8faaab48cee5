"""remote-store backends on obstore (Rust ``object_store``): S3, Azure Blob Storage, GCS.

* :class:`S3ObstoreBackend`, :class:`AzureObstoreBackend`, :class:`GcsObstoreBackend`:
  the sync backends (types ``s3-obstore``, ``azure-obstore``, ``gcs-obstore``).
* :class:`AsyncS3ObstoreBackend`, :class:`AsyncAzureObstoreBackend`,
  :class:`AsyncGcsObstoreBackend`: the async ones, on obstore's async API.
"""

from remote_store_obstore._async_backend import AsyncObstoreBackend
from remote_store_obstore._backend import ObstoreBackend
from remote_store_obstore._services import (
    AsyncAzureObstoreBackend,
    AsyncGcsObstoreBackend,
    AsyncS3ObstoreBackend,
    AzureObstoreBackend,
    GcsObstoreBackend,
    S3ObstoreBackend,
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
