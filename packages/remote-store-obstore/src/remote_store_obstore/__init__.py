"""remote-store backends on obstore (Rust ``object_store``): S3, Azure Blob Storage, GCS.

* :class:`S3ObstoreBackend`, :class:`AzureObstoreBackend`, :class:`GcsObstoreBackend`:
  the sync backends (types ``s3-obstore``, ``azure-obstore``, ``gcs-obstore``).
"""

from remote_store_obstore._backend import ObstoreBackend
from remote_store_obstore._services import (
    AzureObstoreBackend,
    GcsObstoreBackend,
    S3ObstoreBackend,
)

__all__ = [
    "AzureObstoreBackend",
    "GcsObstoreBackend",
    "ObstoreBackend",
    "S3ObstoreBackend",
]
