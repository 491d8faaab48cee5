"""Classification of database errors for sql-query (by type and SQLSTATE, never text)."""

from __future__ import annotations

import sqlalchemy as sa
from remote_store.errors import BackendUnavailable, PermissionDenied, RemoteStoreError

__all__ = ["classify"]

_UNAVAILABLE_CLASSES = ("08", "53", "57", "58")
_UNAVAILABLE_CODES = ("40001", "40P01", "55P03")
_MYSQL_UNAVAILABLE = {1040, 1205, 1213, 2002, 2003, 2005, 2006, 2013, 2055}
_MYSQL_DENIED = {1044, 1045, 1142, 1227}
_SQLITE_UNAVAILABLE = {5, 6, 10, 13, 14, 15}


def classify(exc: sa.exc.SQLAlchemyError) -> type[RemoteStoreError]:
    """The typed error for a SQLAlchemy exception."""
    if isinstance(exc, (sa.exc.TimeoutError, sa.exc.DisconnectionError)):
        return BackendUnavailable
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return BackendUnavailable
    orig = getattr(exc, "orig", None)
    # MySQL drivers first: PyMySQL also carries a SQLSTATE, but MySQL's are too coarse
    # (a lock wait timeout is the generic HY000), so the error number decides there.
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and type(orig).__module__.startswith("pymysql"):
        if args[0] in _MYSQL_UNAVAILABLE:
            return BackendUnavailable
        return PermissionDenied if args[0] in _MYSQL_DENIED else RemoteStoreError
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate.startswith(_UNAVAILABLE_CLASSES) or sqlstate in _UNAVAILABLE_CODES:
            return BackendUnavailable
        return PermissionDenied if sqlstate == "42501" else RemoteStoreError
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return BackendUnavailable if sqlite_code & 0xFF in _SQLITE_UNAVAILABLE else RemoteStoreError
    if isinstance(exc, sa.exc.OperationalError):  # psycopg: failed connect, no SQLSTATE
        return BackendUnavailable
    return RemoteStoreError
