"""remote-store errors as the ``OSError`` subclasses pyarrow and its callers expect."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

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

from remote_store_arrow._exit import entering

__all__ = ["as_os_error", "translated"]


def as_os_error(exc: RemoteStoreError, path: str, *, folder: bool | None = None) -> Exception:
    """The builtin exception pyarrow maps to the matching status for ``exc``.

    ``folder`` says what the operation expected at ``path``: ``True`` a folder (an
    :class:`InvalidPath` then means "not a directory"), ``False`` a file ("is a
    directory"), ``None`` unknown.
    """
    message = str(exc)
    if isinstance(exc, NotFound):
        return FileNotFoundError(errno.ENOENT, message, path)
    if isinstance(exc, AlreadyExists):
        return FileExistsError(errno.EEXIST, message, path)
    if isinstance(exc, PermissionDenied):
        return PermissionError(errno.EACCES, message, path)
    if isinstance(exc, DirectoryNotEmpty):
        return OSError(errno.ENOTEMPTY, message, path)
    if isinstance(exc, InvalidPath):
        if folder is True:
            return NotADirectoryError(errno.ENOTDIR, message, path)
        if folder is False:
            return IsADirectoryError(errno.EISDIR, message, path)
        return OSError(errno.EINVAL, message, path)
    if isinstance(exc, CapabilityNotSupported):
        return NotImplementedError(message)
    if isinstance(exc, BackendUnavailable):
        return ConnectionError(errno.ECONNREFUSED, message, path)
    return OSError(errno.EIO, message, path)


@contextmanager
def translated(path: str, *, folder: bool | None = None) -> Iterator[None]:
    """Re-raise a :class:`RemoteStoreError` as its ``OSError`` (the original is the cause).

    Also an exit gate: once the interpreter is shutting down, calls from arrow's threads
    fail at once instead of running Python code (see :mod:`remote_store_arrow._exit`).
    """
    with entering():
        try:
            yield
        except RemoteStoreError as exc:
            raise as_os_error(exc, path, folder=folder) from exc
