"""remote-store's typed errors as the builtin exceptions fsspec callers catch."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator

from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)

__all__ = ["as_builtin", "builtin_errors"]


def as_builtin(error: RemoteStoreError, path: str) -> Exception:
    """The builtin exception fsspec code expects for ``error`` (which stays its cause).

    NotFound -> FileNotFoundError, AlreadyExists -> FileExistsError, PermissionDenied ->
    PermissionError, DirectoryNotEmpty -> OSError(ENOTEMPTY), a path naming the wrong kind
    of node -> IsADirectoryError / NotADirectoryError, CapabilityNotSupported ->
    NotImplementedError, BackendUnavailable -> ConnectionError; anything else (invalid
    arguments, config errors) is already a ValueError/TypeError or stays as it is.
    """
    message = error.message or str(error)
    if isinstance(error, NotFound):
        return FileNotFoundError(errno.ENOENT, message, path)
    if isinstance(error, AlreadyExists):
        return FileExistsError(errno.EEXIST, message, path)
    if isinstance(error, PermissionDenied):
        return PermissionError(errno.EACCES, message, path)
    if isinstance(error, DirectoryNotEmpty):
        return OSError(errno.ENOTEMPTY, message, path)
    if isinstance(error, InvalidPath):
        if "not a folder" in message or "not a directory" in message:
            return NotADirectoryError(errno.ENOTDIR, message, path)
        if "folder" in message or "directory" in message:
            return IsADirectoryError(errno.EISDIR, message, path)
        return ValueError(f"{message}: {path!r}")
    if isinstance(error, CapabilityNotSupported):
        return NotImplementedError(str(error))
    if isinstance(error, BackendUnavailable):
        return ConnectionError(errno.ECONNREFUSED, message, path)
    return error


@contextlib.contextmanager
def builtin_errors(path: str) -> Iterator[None]:
    """Re-raise a :class:`RemoteStoreError` as its builtin (:func:`as_builtin`)."""
    try:
        yield
    except RemoteStoreError as error:
        mapped = as_builtin(error, path)
        if mapped is error:
            raise
        raise mapped from error
