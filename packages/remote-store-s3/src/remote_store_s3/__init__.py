"""remote-store backend for Amazon S3 and S3-compatible services (type ``s3``).

:class:`S3Backend` for sync code; :class:`AsyncS3Backend` for async code, on the
caller's event loop (entry point ``s3`` in ``remote_store.async_backends``).
"""

from typing import Any

from remote_store_s3._backend import S3Backend

__all__ = ["AsyncS3Backend", "S3Backend"]


def __getattr__(name: str) -> Any:
    # loaded on first use: the sync backend's import stays as light as it was
    if name == "AsyncS3Backend":
        from remote_store_s3._async_backend import AsyncS3Backend

        return AsyncS3Backend
    raise AttributeError(f"module 'remote_store_s3' has no attribute {name!r}")
