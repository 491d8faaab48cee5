"""The async backend types ``s3-obstore``, ``azure-obstore`` and ``gcs-obstore``."""

from __future__ import annotations

from remote_store_obstore._async_backend import AsyncObstoreBackend
from remote_store_obstore._backend import CONDITIONAL_CAPABILITIES
from remote_store_obstore._options import AzureOptions, GcsOptions, S3Options

__all__ = ["AsyncAzureObstoreBackend", "AsyncGcsObstoreBackend", "AsyncS3ObstoreBackend"]


class AsyncS3ObstoreBackend(S3Options, AsyncObstoreBackend):
    """The async ``s3-obstore`` backend (the options of :class:`S3ObstoreBackend`)."""

    CAPABILITIES = CONDITIONAL_CAPABILITIES


class AsyncAzureObstoreBackend(AzureOptions, AsyncObstoreBackend):
    """The async ``azure-obstore`` backend (the options of :class:`AzureObstoreBackend`)."""

    CAPABILITIES = CONDITIONAL_CAPABILITIES


class AsyncGcsObstoreBackend(GcsOptions, AsyncObstoreBackend):
    """The async ``gcs-obstore`` backend (the options of :class:`GcsObstoreBackend`)."""
