"""Exit codes: one per error class, so that scripts can tell failures apart."""

from __future__ import annotations

from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    CapabilityNotSupported,
    ConfigError,
    DirectoryNotEmpty,
    InvalidArgument,
    InvalidPath,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RemoteStoreError,
    TreeTransferError,
)

__all__ = ["EXIT_CODES", "exit_code_of"]

OK = 0
ERROR = 1
USAGE = 2
NOT_FOUND = 3
PERMISSION = 4
CONFLICT = 5
CONFIG = 6
UNAVAILABLE = 7
INVALID = 8
PARTIAL = 9
NOT_CERTIFIED = 10
NOT_INSTALLED = 11  # python -m remote_store without this distribution (set by the core)
INTERRUPTED = 130

#: code -> meaning, the table printed by ``--help`` and documented in docs/cli.md.
EXIT_CODES: dict[int, str] = {
    OK: "success",
    ERROR: "other error",
    USAGE: "usage error (bad option or argument)",
    NOT_FOUND: "not found (NotFound)",
    PERMISSION: "permission denied (PermissionDenied)",
    CONFLICT: "conflict: exists / not empty / precondition (AlreadyExists, DirectoryNotEmpty...)",
    CONFIG: "configuration error (ConfigError, UnknownStore, unknown backend type)",
    UNAVAILABLE: "backend unavailable (BackendUnavailable)",
    INVALID: "invalid path or argument, capability not supported (InvalidPath...)",
    PARTIAL: "some files of a folder operation failed, of different classes",
    NOT_CERTIFIED: "cert --verify: the certificate is valid but not certified",
    NOT_INSTALLED: "python -m remote_store: the command line is not installed",
    INTERRUPTED: "interrupted (Ctrl-C)",
}

_ORDER: tuple[tuple[type[BaseException], int], ...] = (
    (ConfigError, CONFIG),
    (NotFound, NOT_FOUND),
    (PermissionDenied, PERMISSION),
    (AlreadyExists, CONFLICT),
    (DirectoryNotEmpty, CONFLICT),
    (PreconditionFailed, CONFLICT),
    (BackendUnavailable, UNAVAILABLE),
    (InvalidPath, INVALID),
    (InvalidArgument, INVALID),
    (CapabilityNotSupported, INVALID),
)


def exit_code_of(exc: BaseException) -> int:
    """The exit code of an error; a folder operation's failures share one or give 9."""
    if isinstance(exc, TreeTransferError):
        codes = {exit_code_of(error) for error in exc.failures.values()}
        return codes.pop() if len(codes) == 1 else PARTIAL
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    for kind, code in _ORDER:
        if isinstance(exc, kind):
            return code
    if isinstance(exc, RemoteStoreError):
        return ERROR
    return ERROR
