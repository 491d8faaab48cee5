"""remote-store backend for Amazon S3 and S3-compatible services (type ``s3``)."""

from remote_store_s3._backend import S3Backend

__all__ = ["S3Backend"]
