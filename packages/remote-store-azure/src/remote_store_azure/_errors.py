"""Classifying Azure SDK exceptions by error code and HTTP status, never by message text."""

from __future__ import annotations

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    DirectoryNotEmpty,
    InvalidArgument,
    InvalidPath,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RemoteStoreError,
)

__all__ = ["classify", "conflict", "error_code", "status_of"]

#: Azure error codes (the ``x-ms-error-code`` header) with a precise meaning.
_CODES: dict[str, type[RemoteStoreError]] = {
    "BlobNotFound": NotFound,
    "ContainerNotFound": NotFound,
    "PathNotFound": NotFound,
    "FilesystemNotFound": NotFound,
    "SourcePathNotFound": NotFound,
    "CannotVerifyCopySource": NotFound,
    "BlobAlreadyExists": AlreadyExists,
    "PathAlreadyExists": AlreadyExists,
    "ConditionNotMet": PreconditionFailed,
    "SourceConditionNotMet": PreconditionFailed,
    "TargetConditionNotMet": PreconditionFailed,
    "LeaseIdMissing": PreconditionFailed,
    "LeaseIdMismatchWithBlobOperation": PreconditionFailed,
    "LeaseAlreadyPresent": PreconditionFailed,
    "DirectoryNotEmpty": DirectoryNotEmpty,
    "PathConflict": InvalidPath,
    "ParentNotFound": NotFound,
    "InvalidResourceName": InvalidPath,
    "InvalidUri": InvalidPath,
    "InvalidMetadata": InvalidArgument,
    "AuthenticationFailed": PermissionDenied,
    "AuthorizationFailure": PermissionDenied,
    "AuthorizationPermissionMismatch": PermissionDenied,
    "InsufficientAccountPermissions": PermissionDenied,
    "ServerBusy": BackendUnavailable,
    "OperationTimedOut": BackendUnavailable,
    "InternalError": BackendUnavailable,
}
#: Error codes of a refused create-only condition (``If-None-Match: *``).
_EXISTS_CODES = frozenset({"BlobAlreadyExists", "ConditionNotMet", "PathAlreadyExists"})

_STATUSES: dict[int, type[RemoteStoreError]] = {
    401: PermissionDenied,
    403: PermissionDenied,
    404: NotFound,
    409: AlreadyExists,
    412: PreconditionFailed,
    408: BackendUnavailable,
    429: BackendUnavailable,
    500: BackendUnavailable,
    502: BackendUnavailable,
    503: BackendUnavailable,
    504: BackendUnavailable,
}


def error_code(exc: BaseException) -> str | None:
    """The Azure error code an SDK exception carries, if any."""
    code = getattr(exc, "error_code", None)
    code = getattr(code, "value", code)  # the SDK's StorageErrorCode enum holds the wire code
    return str(code) if code else None


def status_of(exc: BaseException) -> int | None:
    """The HTTP status an SDK exception carries, if any."""
    status = getattr(exc, "status_code", None)
    return int(status) if isinstance(status, int) else None


def classify(exc: BaseException, path: str | None, backend: str) -> RemoteStoreError:
    """A typed error for an Azure SDK exception (other exceptions become the base type).

    The message holds the exception type, error code and status only: never the SDK's
    message text, which can quote request URLs carrying a SAS token.
    """
    if isinstance(exc, RemoteStoreError):
        return exc
    code = error_code(exc)
    status = status_of(exc)
    kind: type[RemoteStoreError] | None = _CODES.get(code) if code else None
    if kind is None:
        if isinstance(exc, ResourceNotFoundError):
            kind = NotFound
        elif isinstance(exc, ResourceExistsError):
            kind = AlreadyExists
        elif isinstance(exc, ResourceModifiedError):
            kind = PreconditionFailed
        elif isinstance(exc, ClientAuthenticationError):
            kind = PermissionDenied
        elif isinstance(exc, (ServiceRequestError, ServiceResponseError)):
            kind = BackendUnavailable
        elif isinstance(exc, HttpResponseError) and status is not None:
            kind = _STATUSES.get(status, RemoteStoreError)
        elif isinstance(exc, (ConnectionError, TimeoutError)):
            kind = BackendUnavailable
        else:
            kind = RemoteStoreError
    detail = type(exc).__name__
    if code or status:
        detail += f" ({', '.join(str(p) for p in (code, status) if p)})"
    _forget_transport(exc)
    return kind(detail, path=path, backend=backend)


def _forget_transport(exc: BaseException) -> None:
    """Drop the HTTP request/response objects the SDK exception holds: they carry the
    request URL with its SAS token, and the exception travels on as our error's cause
    (tracebacks, and pickles where tblib's exception pickling is installed, as dask does)."""
    for name in ("response", "request"):
        if getattr(exc, name, None) is not None:
            try:
                setattr(exc, name, None)
            except AttributeError:  # a read-only property on some SDK type
                pass


def conflict(exc: BaseException, path: str, backend: str, hns: bool) -> RemoteStoreError:
    """A refused create-only condition as AlreadyExists; on an HNS account a 409 as
    InvalidPath (a directory or file is in the way); other errors as :func:`classify`."""
    code = error_code(exc)
    if code in _EXISTS_CODES or (code is None and status_of(exc) in (409, 412)):
        return AlreadyExists("file exists", path=path, backend=backend)
    if hns and status_of(exc) == 409:
        return InvalidPath("path conflicts with a file or folder", path=path, backend=backend)
    return classify(exc, path, backend)
