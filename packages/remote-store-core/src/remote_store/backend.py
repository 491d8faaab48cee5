"""The plugin SDK: everything a backend author imports, and nothing private.

A third-party backend (and every backend of this repository) is written against this
module only. The names exported here are a compatibility promise: they keep their
meaning within a major version (see docs/releasing.md). Async backends import
:mod:`remote_store.aio.backend`, which re-exports this module's names as well.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from remote_store._backend import Backend, join_key, parent_key
from remote_store._capabilities import Capability, CapabilitySet, not_supported
from remote_store._conditional import condition_failures
from remote_store._glob import glob_by_listing, literal_prefix, translate_glob
from remote_store._models import (
    ContentDigest,
    FileInfo,
    FolderEntry,
    FolderInfo,
    FolderSemantics,
    PathEntry,
    ResolutionPlan,
    WriteResult,
    WriteSource,
)
from remote_store._path import RemotePath, check_key, normalize_key
from remote_store._retry import RetryPolicy, call_with_retry
from remote_store._secret import Secret, redact_text, redact_url, reveal
from remote_store._streams import (
    CHUNK_SIZE,
    SPOOL_MAX_MEMORY,
    MappedReader,
    WritableContent,
    copy_stream,
    iter_content,
    spool,
)
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
)

__all__ = [
    "CHUNK_SIZE",
    "SPOOL_MAX_MEMORY",
    "AlreadyExists",
    "Backend",
    "BackendUnavailable",
    "Capability",
    "CapabilityNotSupported",
    "CapabilitySet",
    "ConfigError",
    "ContentDigest",
    "DirectoryNotEmpty",
    "FileInfo",
    "FolderEntry",
    "FolderInfo",
    "FolderSemantics",
    "InvalidArgument",
    "InvalidPath",
    "MappedReader",
    "NotFound",
    "PathEntry",
    "PermissionDenied",
    "PreconditionFailed",
    "ReadStream",
    "RemotePath",
    "RemoteStoreError",
    "ResolutionPlan",
    "RetryPolicy",
    "Secret",
    "WritableContent",
    "WriteResult",
    "WriteSource",
    "call_with_retry",
    "check_key",
    "condition_failures",
    "copy_stream",
    "glob_by_listing",
    "iter_content",
    "join_key",
    "literal_prefix",
    "normalize_key",
    "not_supported",
    "parent_key",
    "redact_text",
    "redact_url",
    "reveal",
    "spool",
    "translate_glob",
]


@runtime_checkable
class ReadStream(Protocol):
    """What ``Backend.read`` returns: a readable binary stream the caller closes.

    Any object with ``read(size)`` and ``close()`` fits (a file object, an SDK's body
    stream, an :class:`io.RawIOBase` subclass); no cast to ``BinaryIO`` is needed.
    """

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes (all that is left for ``-1``); ``b""`` at the end."""
        ...

    def close(self) -> None:
        """Release the stream."""
        ...
