"""Typed errors for native SQLAlchemy and driver exceptions (by type and code only)."""

from __future__ import annotations

import sqlalchemy as sa
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    BlobTooLarge,
    PermissionDenied,
    RemoteStoreError,
)

__all__ = ["classify"]

#: PostgreSQL SQLSTATE classes/codes meaning "the server cannot serve this now".
_PG_UNAVAILABLE_CLASSES = ("08", "53", "57", "58")
_PG_UNAVAILABLE_CODES = ("40001", "40P01", "55P03")
#: MySQL/MariaDB client and server error numbers with the same meaning.
_MYSQL_UNAVAILABLE = {1040, 1205, 1213, 2002, 2003, 2005, 2006, 2013, 2055}
_MYSQL_TOO_LARGE = {1153, 1301}
_MYSQL_DENIED = {1044, 1045, 1142, 1227}
#: SQLite primary result codes: BUSY, LOCKED, IOERR, FULL, CANTOPEN, PROTOCOL.
_SQLITE_UNAVAILABLE = {5, 6, 10, 13, 14, 15}
_SQLITE_DENIED = {3, 8, 23}  # PERM, READONLY, AUTH


def classify(exc: BaseException) -> type[RemoteStoreError]:
    """The typed error for a native SQLAlchemy/driver exception (by type and code only)."""
    if isinstance(exc, sa.exc.IntegrityError):
        return AlreadyExists
    if isinstance(exc, (sa.exc.TimeoutError, sa.exc.DisconnectionError)):
        return BackendUnavailable
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return BackendUnavailable
    orig = getattr(exc, "orig", None) or exc
    # MySQL drivers first: PyMySQL also carries a SQLSTATE, but MySQL's are too coarse
    # (1142 "command denied" is the generic 42000), so the error number decides there.
    args = getattr(orig, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    if code is not None and type(orig).__module__.startswith(("pymysql", "MySQLdb")):
        if code in _MYSQL_UNAVAILABLE:
            return BackendUnavailable
        if code in _MYSQL_TOO_LARGE:
            return BlobTooLarge
        if code in _MYSQL_DENIED:
            return PermissionDenied
        return RemoteStoreError
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate.startswith(_PG_UNAVAILABLE_CLASSES) or sqlstate in _PG_UNAVAILABLE_CODES:
            return BackendUnavailable
        if sqlstate == "42501":
            return PermissionDenied
        if sqlstate == "54000":  # program_limit_exceeded (value too large)
            return BlobTooLarge
        return RemoteStoreError
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        primary = sqlite_code & 0xFF
        if primary in _SQLITE_UNAVAILABLE:
            return BackendUnavailable
        if primary in _SQLITE_DENIED:
            return PermissionDenied
        if primary == 18:  # SQLITE_TOOBIG
            return BlobTooLarge
        return RemoteStoreError
    if isinstance(exc, sa.exc.OperationalError):
        # psycopg reports a failed connection attempt without a SQLSTATE.
        return BackendUnavailable
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return BackendUnavailable
    return RemoteStoreError
