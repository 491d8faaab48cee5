"""remote-store sql-blob backend: files as rows of a SQL table (SQLAlchemy 2).

Install ``remote-store-sql``; the backend type is ``sql-blob``.
"""

from remote_store_sql._backend import SQLBlobBackend

__all__ = ["SQLBlobBackend"]
