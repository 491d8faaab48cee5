"""The sync backend types ``s3-obstore``, ``azure-obstore`` and ``gcs-obstore``."""

from __future__ import annotations

from remote_store_obstore._backend import CONDITIONAL_CAPABILITIES, ObstoreBackend
from remote_store_obstore._options import AzureOptions, GcsOptions, S3Options

__all__ = ["AzureObstoreBackend", "GcsObstoreBackend", "S3ObstoreBackend"]


class S3ObstoreBackend(S3Options, ObstoreBackend):
    __doc__ = S3Options.__doc__

    CAPABILITIES = CONDITIONAL_CAPABILITIES


class AzureObstoreBackend(AzureOptions, ObstoreBackend):
    __doc__ = AzureOptions.__doc__

    CAPABILITIES = CONDITIONAL_CAPABILITIES


class GcsObstoreBackend(GcsOptions, ObstoreBackend):
    __doc__ = GcsOptions.__doc__
