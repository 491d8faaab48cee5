"""remote-store sql-query backend: read-only files whose content is a SQL query's result.

Install ``remote-store-sql-query``; the backend type is ``sql-query``.
"""

from remote_store_sql_query._backend import SQLQueryBackend
from remote_store_sql_query._serializers import ArrowSerializer, ResultSerializer

__all__ = ["ArrowSerializer", "ResultSerializer", "SQLQueryBackend"]
