"""Classify Cloud Storage failures by HTTP status and error reason (never by message text).

The JSON API answers an error with ``{"error": {"code": 404, "errors": [{"reason":
"notFound"}]}}``; google-cloud-storage raises ``google.api_core`` exceptions carrying the
same two fields, and transport failures come from requests or google-auth. The typed error
names only the reason and the status: a message may echo a URL or a token.
"""

from __future__ import annotations

from typing import Any

from remote_store.backend import (
    AlreadyExists,
    BackendUnavailable,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from remote_store.errors import PreconditionFailed

__all__ = ["classify", "raise_for_status", "status_and_reason"]

#: Reasons that mean "try again later" whatever the status says.
_TRANSIENT = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "backendError", "internalError"}
)


def _reason_of(body: Any) -> str:
    try:
        errors = body["error"].get("errors") or [{}]
        return str(errors[0].get("reason") or body["error"].get("status") or "")
    except (AttributeError, KeyError, TypeError, IndexError):
        return ""


def status_and_reason(exc: BaseException) -> tuple[int, str]:
    """The HTTP status (0 when none) and the service's error reason (``""`` when none)."""
    status = getattr(exc, "code", None)  # google.api_core.exceptions.GoogleAPICallError
    if isinstance(status, int):
        errors = getattr(exc, "errors", None) or [{}]
        reason = errors[0].get("reason", "") if isinstance(errors[0], dict) else ""
        return status, str(reason or getattr(exc, "reason", "") or "")
    response = getattr(exc, "response", None)  # requests / resumable-media errors
    code = getattr(response, "status_code", None)
    if isinstance(code, int):
        try:
            body = response.json()  # type: ignore[union-attr]
        except Exception:
            body = None
        return code, _reason_of(body)
    return 0, ""


def _is_transport_error(exc: BaseException) -> bool:
    """Connection refused/reset, timeouts, a body cut mid-stream."""
    import requests
    import urllib3
    from google.auth import exceptions as auth_errors

    return isinstance(
        exc,
        (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
            urllib3.exceptions.HTTPError,  # ProtocolError (a body cut short), timeouts
            auth_errors.TransportError,
            ConnectionError,
            TimeoutError,
        ),
    )


def _kind(exc: BaseException, status: int, reason: str) -> type[RemoteStoreError]:
    if status == 404:
        return NotFound
    if status in (401, 403):
        return PermissionDenied
    if status == 412:
        return PreconditionFailed
    if status == 409:
        return AlreadyExists
    if status in (408, 429) or status >= 500 or reason in _TRANSIENT:
        return BackendUnavailable
    if status in (400, 411, 413, 416):
        return InvalidArgument
    if status == 0 and _is_transport_error(exc):
        return BackendUnavailable
    from google.auth.exceptions import DefaultCredentialsError, RefreshError

    if isinstance(exc, (RefreshError, DefaultCredentialsError)):
        return PermissionDenied
    return RemoteStoreError


def classify(exc: BaseException, path: str | None, backend: str) -> RemoteStoreError:
    """The typed error for a native exception; the message names reason and status only."""
    if isinstance(exc, RemoteStoreError):
        return exc
    status, reason = status_and_reason(exc)
    detail = (reason or type(exc).__name__) + (f" (HTTP {status})" if status else "")
    error = _kind(exc, status, reason)(detail, path=path, backend=backend)
    if isinstance(error, BackendUnavailable):
        seconds = _retry_after(exc)
        if seconds is not None:
            error.retry_after = seconds  # type: ignore[attr-defined]
    return error


class _ResponseError(Exception):
    """A failed response of one of the backend's own requests (kept for classification)."""

    def __init__(self, response: Any) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def raise_for_status(response: Any, path: str | None, backend: str) -> None:
    """Raise the typed error for a response with a status of 400 or more."""
    if response.status_code >= 400:
        raise classify(_ResponseError(response), path, backend)


def _retry_after(exc: BaseException) -> float | None:
    """Seconds from a ``Retry-After`` header, when the service sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        value = headers.get("Retry-After")
        return float(value) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None
