"""obstore's exceptions as typed remote-store errors, with nothing secret in the message.

obstore raises its own classes (``obstore.exceptions``), builtin ``FileNotFoundError``
for a missing object and ``ValueError`` for a key ``object_store`` cannot parse. A
``GenericError`` carries the HTTP status only in its text, so it is read from there.
Messages keep their first line, with URL query strings (a SAS token lives there) and
every known :class:`~remote_store.backend.Secret` masked.
"""

from __future__ import annotations

import re
from typing import NoReturn

from remote_store.backend import (
    AlreadyExists,
    BackendUnavailable,
    CapabilityNotSupported,
    ConfigError,
    InvalidArgument,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
    redact_text,
)
from remote_store.errors import PreconditionFailed

__all__ = ["classify", "clean_message", "raise_typed"]

_STATUS = re.compile(r"status code: (\d{3})")
_QUERY = re.compile(r"(https?://[^\s?\"']+)\?[^\s\"']*")
_UNAVAILABLE_WORDS = ("error sending request", "connection", "timed out", "timeout", "dns")

#: obstore exception class name -> remote-store error type.
_BY_CLASS: dict[str, type[RemoteStoreError]] = {
    "NotFoundError": NotFound,
    "AlreadyExistsError": AlreadyExists,
    "PreconditionError": PreconditionFailed,
    "PermissionDeniedError": PermissionDenied,
    "UnauthenticatedError": PermissionDenied,
    "InvalidPathError": InvalidPath,
    "UnknownConfigurationKeyError": ConfigError,
}


def clean_message(exc: BaseException) -> str:
    """The first line of the exception's text, query strings and known secrets masked."""
    text = str(exc).strip().split("\n", 1)[0] or type(exc).__name__
    text = _QUERY.sub(lambda match: match.group(1) + "?***", text)
    return redact_text(text)[:500]


def _by_status(status: int) -> type[RemoteStoreError]:
    if status == 404:
        return NotFound
    if status in (401, 403):
        return PermissionDenied
    if status == 409:
        return AlreadyExists
    if status == 412:
        return PreconditionFailed
    if status == 416:
        return InvalidArgument
    if status in (408, 429) or status >= 500:
        return BackendUnavailable
    return RemoteStoreError


def _kind(exc: BaseException, message: str) -> type[RemoteStoreError]:
    name = type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return NotFound
    if name in _BY_CLASS:
        return _BY_CLASS[name]
    if name == "NotSupportedError":
        return CapabilityNotSupported
    if isinstance(exc, ValueError) and "path" in message.lower():
        return InvalidPath  # object_store refused to parse the key
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return BackendUnavailable
    match = _STATUS.search(message)
    if match:
        return _by_status(int(match.group(1)))
    lowered = message.lower()
    if name == "GenericError" and any(word in lowered for word in _UNAVAILABLE_WORDS):
        return BackendUnavailable
    return RemoteStoreError


def classify(exc: BaseException, path: str | None, backend: str) -> RemoteStoreError:
    """A typed error for an obstore (or builtin) exception raised by an operation on ``path``."""
    if isinstance(exc, RemoteStoreError):
        return exc
    message = clean_message(exc)
    kind = _kind(exc, str(exc))
    if kind is CapabilityNotSupported:
        return CapabilityNotSupported(message, capability="native", path=path, backend=backend)
    return kind(message, path=path, backend=backend)


def raise_typed(exc: BaseException, path: str | None, backend: str) -> NoReturn:
    """Raise ``classify(exc)``; the native exception stays attached as the cause only when
    its text holds nothing that had to be masked (a SAS token in a URL, a known secret)."""
    error = classify(exc, path, backend)
    if error is exc:
        raise error
    text = str(exc)
    if _QUERY.search(text) is None and redact_text(text) == text:
        raise error from exc
    raise error from None
