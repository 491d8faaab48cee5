"""remote-store-arrow: any Store as a PyArrow filesystem, and Parquet datasets.

``remote_store_arrow.arrow`` (also ``remote_store.ext.arrow``): :func:`pyarrow_fs`,
:class:`StoreFileSystemHandler`. ``remote_store_arrow.parquet`` (also
``remote_store.ext.parquet``): :class:`ParquetDatasetStore`, :class:`DatasetManifest` and
the errors :class:`DatasetIncomplete`, :class:`ManifestCorrupted`.
"""

from remote_store_arrow.arrow import StoreFileSystemHandler, pyarrow_fs
from remote_store_arrow.parquet import (
    DatasetIncomplete,
    DatasetManifest,
    ManifestCorrupted,
    ParquetDatasetStore,
)

__all__ = [
    "DatasetIncomplete",
    "DatasetManifest",
    "ManifestCorrupted",
    "ParquetDatasetStore",
    "StoreFileSystemHandler",
    "pyarrow_fs",
]
