"""remote-store backend for Google Cloud Storage (type ``gcs``)."""

from remote_store_gcs._backend import GCSBackend

__all__ = ["GCSBackend"]
