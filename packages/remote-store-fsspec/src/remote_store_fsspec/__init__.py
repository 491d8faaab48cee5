"""remote-store-fsspec: any remote-store Store as an fsspec filesystem.

``StoreFileSystem(store)`` serves a store to fsspec-aware libraries (pandas, dask, duckdb,
polars, pyarrow); the ``remote-store`` protocol (``remote-store://PROFILE/path``) builds
one from a config file's profile.
"""

from __future__ import annotations

from remote_store_fsspec._errors import as_builtin
from remote_store_fsspec._filesystem import PROTOCOL, StoreFileSystem
from remote_store_fsspec._profiles import CONFIG_VARIABLE

__all__ = ["CONFIG_VARIABLE", "PROTOCOL", "StoreFileSystem", "as_builtin"]
