"""remote-store: one portable file-storage API over many backends.

Application code talks to :class:`Store`; a :class:`Backend` does the storage work;
a :class:`Registry` builds stores from configuration. Names not needed for a plain
``import remote_store`` (configuration, extensions, async bridge) load on first use.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

from remote_store._backend import Backend
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._models import (
    ContentDigest,
    FileInfo,
    FolderEntry,
    FolderInfo,
    FolderSemantics,
    PathEntry,
    ResolutionPlan,
    WriteResult,
)
from remote_store._path import RemotePath
from remote_store._proxy import ProxyStore
from remote_store._store import Store
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

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    # configuration
    "BackendConfig": "remote_store._config",
    "StoreProfile": "remote_store._config",
    "RegistryConfig": "remote_store._config",
    "Registry": "remote_store._registry",
    "register_backend": "remote_store._registry",
    "resolve_env": "remote_store._env",
    "RetryPolicy": "remote_store._retry",
    "Secret": "remote_store._secret",
    "allow_secret_pickling": "remote_store._pickling",
    "SecretRedactionFilter": "remote_store._secret",
    "set_sdk_log_redaction": "remote_store._secret",
    "info": "remote_store._info",
    # async bridge
    "AsyncBackendSyncAdapter": "remote_store.aio",
    # base extensions, re-exported as in 0.27
    "BatchResult": "remote_store.ext.batch",
    "batch_delete": "remote_store.ext.batch",
    "batch_copy": "remote_store.ext.batch",
    "batch_exists": "remote_store.ext.batch",
    "CacheBackend": "remote_store.ext.cache",
    "CachedStore": "remote_store.ext.cache",
    "CacheStats": "remote_store.ext.cache",
    "MemoryCache": "remote_store.ext.cache",
    "cache": "remote_store.ext.cache",
    "glob_files": "remote_store.ext.glob",
    "ParsedPartition": "remote_store.ext.partition",
    "parse_partition": "remote_store.ext.partition",
    "partition_path": "remote_store.ext.partition",
    "BufferedObserver": "remote_store.ext.observe",
    "ObservedStore": "remote_store.ext.observe",
    "StoreEvent": "remote_store.ext.observe",
    "observe": "remote_store.ext.observe",
    "set_correlation_id": "remote_store.ext.observe",
    "checksum": "remote_store.ext.integrity",
    "content_digest": "remote_store.ext.integrity",
    "verify": "remote_store.ext.integrity",
    "verify_hex": "remote_store.ext.integrity",
    "ProgressReader": "remote_store.ext.streams",
    "ProgressWriter": "remote_store.ext.streams",
    "ChecksumReader": "remote_store.ext.streams",
    "ChecksumWriter": "remote_store.ext.streams",
    "read_with_progress": "remote_store.ext.streams",
    "upload": "remote_store.ext.transfer",
    "download": "remote_store.ext.transfer",
    "transfer": "remote_store.ext.transfer",
    "HashingAtomicWriter": "remote_store.ext.write",
    "open_atomic_with_hash": "remote_store.ext.write",
    "write_with_hash": "remote_store.ext.write",
}

__all__ = [
    "AlreadyExists",
    "Backend",
    "BackendUnavailable",
    "Capability",
    "CapabilityNotSupported",
    "CapabilitySet",
    "ContentDigest",
    "DirectoryNotEmpty",
    "FileInfo",
    "FolderEntry",
    "FolderInfo",
    "FolderSemantics",
    "InvalidPath",
    "NotFound",
    "PathEntry",
    "PermissionDenied",
    "ProxyStore",
    "RemotePath",
    "RemoteStoreError",
    "ResolutionPlan",
    "Store",
    "WriteResult",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'remote_store' has no attribute {name!r}")
    value = getattr(import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


# Secrets are masked in every record of a remote_store* logger, on by default: the masking
# (and a NullHandler on the "remote_store" logger) is installed when remote_store._secret
# loads, which every remote-store module that logs or holds a secret imports. Done here
# only when the application has loaded logging already: a plain import stays light.
if "logging" in sys.modules:
    import_module("remote_store._secret").install_default_redaction()

if TYPE_CHECKING:  # pragma: no cover
    from remote_store._config import (
        BackendConfig as BackendConfig,
    )
    from remote_store._config import (
        RegistryConfig as RegistryConfig,
    )
    from remote_store._config import (
        StoreProfile as StoreProfile,
    )
    from remote_store._env import (
        resolve_env as resolve_env,
    )
    from remote_store._info import (
        info as info,
    )
    from remote_store._pickling import (
        allow_secret_pickling as allow_secret_pickling,
    )
    from remote_store._registry import (
        Registry as Registry,
    )
    from remote_store._registry import (
        register_backend as register_backend,
    )
    from remote_store._retry import (
        RetryPolicy as RetryPolicy,
    )
    from remote_store._secret import (
        Secret as Secret,
    )
    from remote_store._secret import (
        SecretRedactionFilter as SecretRedactionFilter,
    )
    from remote_store.aio import (
        AsyncBackendSyncAdapter as AsyncBackendSyncAdapter,
    )
    from remote_store.ext.batch import (
        BatchResult as BatchResult,
    )
    from remote_store.ext.batch import (
        batch_copy as batch_copy,
    )
    from remote_store.ext.batch import (
        batch_delete as batch_delete,
    )
    from remote_store.ext.batch import (
        batch_exists as batch_exists,
    )
    from remote_store.ext.cache import (
        CacheBackend as CacheBackend,
    )
    from remote_store.ext.cache import (
        CachedStore as CachedStore,
    )
    from remote_store.ext.cache import (
        CacheStats as CacheStats,
    )
    from remote_store.ext.cache import (
        MemoryCache as MemoryCache,
    )
    from remote_store.ext.cache import (
        cache as cache,
    )
    from remote_store.ext.glob import (
        glob_files as glob_files,
    )
    from remote_store.ext.integrity import (
        checksum as checksum,
    )
    from remote_store.ext.integrity import (
        content_digest as content_digest,
    )
    from remote_store.ext.integrity import (
        verify as verify,
    )
    from remote_store.ext.integrity import (
        verify_hex as verify_hex,
    )
    from remote_store.ext.observe import (
        BufferedObserver as BufferedObserver,
    )
    from remote_store.ext.observe import (
        ObservedStore as ObservedStore,
    )
    from remote_store.ext.observe import (
        StoreEvent as StoreEvent,
    )
    from remote_store.ext.observe import (
        observe as observe,
    )
    from remote_store.ext.observe import (
        set_correlation_id as set_correlation_id,
    )
    from remote_store.ext.partition import (
        ParsedPartition as ParsedPartition,
    )
    from remote_store.ext.partition import (
        parse_partition as parse_partition,
    )
    from remote_store.ext.partition import (
        partition_path as partition_path,
    )
    from remote_store.ext.streams import (
        ChecksumReader as ChecksumReader,
    )
    from remote_store.ext.streams import (
        ChecksumWriter as ChecksumWriter,
    )
    from remote_store.ext.streams import (
        ProgressReader as ProgressReader,
    )
    from remote_store.ext.streams import (
        ProgressWriter as ProgressWriter,
    )
    from remote_store.ext.streams import (
        read_with_progress as read_with_progress,
    )
    from remote_store.ext.transfer import (
        download as download,
    )
    from remote_store.ext.transfer import (
        transfer as transfer,
    )
    from remote_store.ext.transfer import (
        upload as upload,
    )
    from remote_store.ext.write import (
        HashingAtomicWriter as HashingAtomicWriter,
    )
    from remote_store.ext.write import (
        open_atomic_with_hash as open_atomic_with_hash,
    )
    from remote_store.ext.write import (
        write_with_hash as write_with_hash,
    )
