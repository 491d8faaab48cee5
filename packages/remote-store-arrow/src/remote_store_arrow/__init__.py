"""remote-store-arrow: any Store as a PyArrow filesystem, and Parquet datasets.

``remote_store_arrow.arrow`` (``remote_store.ext.arrow``): :func:`pyarrow_fs`,
:class:`StoreFileSystemHandler`. ``remote_store_arrow.parquet``
(``remote_store.ext.parquet``): :class:`ParquetDatasetStore` and its manifest.
"""

from remote_store_arrow.arrow import StoreFileSystemHandler, pyarrow_fs

__all__ = ["StoreFileSystemHandler", "pyarrow_fs"]
