"""The typed errors of remote-store.

Every failure a caller can see is a :class:`RemoteStoreError`. Each error also subclasses
the builtin that names the same failure (``NotFound`` is a ``FileNotFoundError``,
``AlreadyExists`` a ``FileExistsError``, ``PermissionDenied`` a ``PermissionError``,
``InvalidArgument`` and ``ConfigError`` are ``ValueError`` too, ...), so existing ``except``
clauses written for the builtins keep working.
"""

from __future__ import annotations

__all__ = [
    "AlreadyExists",
    "BackendUnavailable",
    "BlobTooLarge",
    "CapabilityNotSupported",
    "ConfigError",
    "ConfigTypeError",
    "DirectoryNotEmpty",
    "InvalidArgument",
    "InvalidMetadata",
    "InvalidPath",
    "LocalFileExists",
    "MissingConfigKey",
    "NotFound",
    "NotPicklable",
    "PermissionDenied",
    "PreconditionFailed",
    "RemoteStoreError",
    "RunningEventLoopError",
    "SecretNotPicklable",
    "TreeTransferError",
    "UnknownBackendType",
    "UnknownStore",
    "UnsetVariable",
]


class RemoteStoreError(Exception):
    """Base class of every error raised by remote-store.

    ``path`` and ``backend`` say where the error happened; ``retryable`` says whether
    repeating an idempotent operation may succeed.

    An error raised by a :class:`~remote_store.Store` (or ``AsyncStore``) operation also
    carries ``location``, the backend's secret-free location (``"s3 bucket 'lake'"``), and
    ``key``, the backend key it is about (the store root prefixed); its ``path`` is then the
    path exactly as the caller gave it. Both stay ``None`` on errors raised elsewhere.
    """

    retryable: bool = False
    #: Where the backend keeps its data, without secrets (set by the Store).
    location: str | None = None
    #: The backend key (root-prefixed) the error is about (set by the Store).
    key: str | None = None

    def __init__(
        self, message: str = "", *, path: str | None = None, backend: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.backend = backend

    def __str__(self) -> str:
        if self.location is not None:
            return self._located_text(self.location)
        text = self.message
        if self.path is not None:
            text += f" | path={self.path!r}"
        if self.backend is not None:
            text += f" | backend={self.backend!r}"
        return text

    def _located_text(self, location: str) -> str:
        """``msg: 'path' (location, key 'k')``; the key only when it differs from the path."""
        text = self.message or type(self).__name__
        if self.path is not None:
            text += f": {self.path!r}"
        if self.key is not None and self.key != self.path:
            location += f", key {self.key!r}"
        return f"{text} ({location})"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.message, self.path, self.backend, self.__dict__))


def _rebuild(
    cls: type[RemoteStoreError],
    message: str,
    path: str | None,
    backend: str | None,
    state: dict[str, object],
) -> RemoteStoreError:
    error = cls.__new__(cls)
    RemoteStoreError.__init__(error, message, path=path, backend=backend)
    error.__dict__.update(state)
    return error


class NotFound(RemoteStoreError, FileNotFoundError):
    """The file or folder does not exist (also a ``FileNotFoundError``)."""

    def __str__(self) -> str:
        return RemoteStoreError.__str__(self)


class AlreadyExists(RemoteStoreError, FileExistsError):
    """The target exists and ``overwrite=False`` was given (also a ``FileExistsError``)."""

    def __str__(self) -> str:
        return RemoteStoreError.__str__(self)


class LocalFileExists(AlreadyExists, FileExistsError):
    """A local destination file exists (``ext.transfer.download``); also a ``FileExistsError``."""

    def __str__(self) -> str:
        return RemoteStoreError.__str__(self)


class PreconditionFailed(RemoteStoreError):
    """A conditional write (``if_match``) found another version than the one expected."""


class InvalidPath(RemoteStoreError):
    """The path is malformed, escapes the root, or names the wrong kind of node."""


class InvalidArgument(RemoteStoreError, ValueError):
    """An argument has a bad value (also a ``ValueError``, as in 0.27)."""


class InvalidMetadata(InvalidArgument):
    """User metadata has the wrong shape or size."""


class BlobTooLarge(InvalidArgument):
    """Content exceeds the backend's size limit; nothing was written."""


class CapabilityNotSupported(RemoteStoreError):
    """The backend does not declare the capability the operation needs.

    Raised before any I/O. ``capability`` is the capability's string value.
    """

    def __init__(
        self,
        message: str = "",
        *,
        capability: str = "",
        path: str | None = None,
        backend: str | None = None,
    ) -> None:
        super().__init__(message, path=path, backend=backend)
        self.capability = capability


class BackendUnavailable(RemoteStoreError):
    """The backend cannot be reached (network, service down, timeout)."""

    retryable = True


class PermissionDenied(RemoteStoreError, PermissionError):
    """The caller lacks access rights (also a ``PermissionError``)."""

    def __str__(self) -> str:
        return RemoteStoreError.__str__(self)


class DirectoryNotEmpty(RemoteStoreError):
    """The folder is not empty and the operation needs it to be."""


class ConfigError(RemoteStoreError, ValueError):
    """A configuration is invalid (also a ``ValueError``, as in 0.27)."""


class UnknownStore(ConfigError, KeyError):
    """No store profile has that name (also a ``KeyError``, as in 0.27)."""

    def __str__(self) -> str:
        return RemoteStoreError.__str__(self)


class UnsetVariable(ConfigError, KeyError):
    """A ``${VAR}`` placeholder names an unset variable (also a ``KeyError``)."""

    def __str__(self) -> str:
        return RemoteStoreError.__str__(self)


class UnknownBackendType(ConfigError):
    """No installed distribution provides the backend type."""


class MissingConfigKey(ConfigError, KeyError):
    """A required config key (a backend's ``type``) is missing (also a ``KeyError``, as in 0.27)."""

    def __str__(self) -> str:
        return RemoteStoreError.__str__(self)


class ConfigTypeError(ConfigError, TypeError):
    """A config value has the wrong type (also a ``TypeError``, as in 0.27)."""


class RunningEventLoopError(InvalidArgument, RuntimeError):
    """A blocking sync bridge was called from a thread that runs an event loop.

    Blocking there would freeze (or deadlock) that loop; use ``AsyncStore`` from async code
    instead. Also a ``RuntimeError``, like asyncio's own refusal.
    """


class TreeTransferError(RemoteStoreError):
    """A folder operation (``ext.tree``) finished with one or more failed files.

    Every file was attempted; ``failures`` maps each failed source path (relative to the
    source folder) to its typed error, none dropped, and ``result`` is the full
    :class:`~remote_store.ext.tree.TreeResult` with the outcome of every file.
    """

    def __init__(
        self,
        message: str = "",
        *,
        failures: dict[str, RemoteStoreError] | None = None,
        result: object = None,
        path: str | None = None,
        backend: str | None = None,
    ) -> None:
        super().__init__(message, path=path, backend=backend)
        self.failures: dict[str, RemoteStoreError] = dict(failures or {})
        self.result = result


class NotPicklable(RemoteStoreError, TypeError):
    """An object cannot travel to another process (also a ``TypeError``, as pickle's own).

    ``option`` names the constructor option or config path that holds the culprit.
    """

    def __init__(
        self,
        message: str = "",
        *,
        option: str | None = None,
        path: str | None = None,
        backend: str | None = None,
    ) -> None:
        super().__init__(message, path=path, backend=backend)
        self.option = option


class SecretNotPicklable(NotPicklable):
    """Pickling would put a secret value in the bytes; the message names the ways out."""
