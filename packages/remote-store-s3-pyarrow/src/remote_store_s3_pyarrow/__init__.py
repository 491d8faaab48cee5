"""remote-store backend for S3 with Arrow-native reads (type ``s3-pyarrow``)."""

from remote_store_s3_pyarrow._backend import S3PyArrowBackend

__all__ = ["S3PyArrowBackend"]
