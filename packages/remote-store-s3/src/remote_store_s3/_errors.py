"""Classify S3 failures by error code, HTTP status and exception type (never by message)."""

from __future__ import annotations

from typing import Any

from remote_store.errors import (
    BackendUnavailable,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RemoteStoreError,
)

__all__ = ["classify", "error_code", "http_status", "retry_after"]

_NOT_FOUND = frozenset({"NoSuchKey", "NoSuchBucket", "NoSuchUpload", "NotFound", "404"})
_DENIED = frozenset(
    {
        "AccessDenied",
        "AllAccessDisabled",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "AccountProblem",
        "403",
    }
)
_TRANSIENT = frozenset(
    {
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "OperationAborted",
        # S3 answers 409 when two conditional writes of one key overlap: retry.
        "ConditionalRequestConflict",
    }
)


def _response(exc: BaseException) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    return response if isinstance(response, dict) else {}


def error_code(exc: BaseException) -> str:
    """The S3 error code of a botocore ``ClientError`` (``""`` for other exceptions)."""
    return str(_response(exc).get("Error", {}).get("Code", ""))


def http_status(exc: BaseException) -> int:
    """The HTTP status of a botocore ``ClientError`` (0 for other exceptions)."""
    status = _response(exc).get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return int(status or 0)


def retry_after(exc: BaseException) -> float | None:
    """Seconds from a ``Retry-After`` header, when the service sent one."""
    headers = _response(exc).get("ResponseMetadata", {}).get("HTTPHeaders", {})
    value = headers.get("retry-after") if isinstance(headers, dict) else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _is_transport_error(exc: BaseException) -> bool:
    """Connection refused/reset/closed, timeouts, a body cut mid-stream."""
    from botocore import exceptions as bce

    transport: tuple[type[BaseException], ...] = (
        bce.ConnectionError,  # EndpointConnectionError, ConnectionClosedError, timeouts...
        bce.HTTPClientError,  # ReadTimeoutError and friends
        bce.ResponseStreamingError,
        bce.IncompleteReadError,
        ConnectionError,
        TimeoutError,
    )
    if isinstance(exc, transport):
        return True
    try:
        import aiohttp
    except ImportError:  # pragma: no cover - aiobotocore depends on aiohttp
        return False
    return isinstance(exc, aiohttp.ClientError)


def classify(exc: BaseException, path: str | None, backend: str) -> RemoteStoreError:
    """The typed error for a native S3 exception; the message names code and status only."""
    if isinstance(exc, RemoteStoreError):
        return exc
    code, status = error_code(exc), http_status(exc)
    detail = f"{code or type(exc).__name__}" + (f" (HTTP {status})" if status else "")
    kind: type[RemoteStoreError] = RemoteStoreError
    if code in _NOT_FOUND or status == 404:
        kind = NotFound
    elif code in _DENIED or status in (401, 403):
        kind = PermissionDenied
    elif code == "PreconditionFailed" or status == 412:
        kind = PreconditionFailed
    elif (
        code in _TRANSIENT
        or status in (408, 429)
        or status >= 500
        or (not code and _is_transport_error(exc))
    ):
        kind = BackendUnavailable
    else:
        from botocore.exceptions import NoCredentialsError, PartialCredentialsError

        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            kind = PermissionDenied
    error = kind(detail, path=path, backend=backend)
    if kind is BackendUnavailable:
        seconds = retry_after(exc)
        if seconds is not None:
            error.retry_after = seconds  # type: ignore[attr-defined]
    return error
