"""remote-store: one portable file-storage API over many backends.

Application code talks to :class:`Store`; a :class:`Backend` does the storage work;
a :class:`Registry` builds stores from configuration. Names not needed for a plain
``import remote_store`` (configuration, extensions, async bridge) load on first use.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import TYPE_CHECKING, Any

from remote_store._backend import Backend
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._models import (
    ContentDigest,
    FileInfo,
    FolderEntry,
    FolderInfo,
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
    "SecretRedactionFilter": "remote_store._secret",
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


logging.getLogger("remote_store").addHandler(logging.NullHandler())
# Secrets are masked in every record of a remote_store* logger, on by default.
import_module("remote_store._secret").install_default_redaction()

if TYPE_CHECKING:  # pragma: no cover
    from remote_store._config import BackendConfig, RegistryConfig, StoreProfile
    from remote_store._env import resolve_env
    from remote_store._info import info
    from remote_store._registry import Registry, register_backend
    from remote_store._retry import RetryPolicy
    from remote_store._secret import Secret, SecretRedactionFilter
    from remote_store.aio import AsyncBackendSyncAdapter
    from remote_store.ext.batch import BatchResult, batch_copy, batch_delete, batch_exists
    from remote_store.ext.cache import CacheBackend, CachedStore, CacheStats, MemoryCache, cache
    from remote_store.ext.glob import glob_files
    from remote_store.ext.integrity import checksum, content_digest, verify, verify_hex
    from remote_store.ext.observe import (
        BufferedObserver,
        ObservedStore,
        StoreEvent,
        observe,
        set_correlation_id,
    )
    from remote_store.ext.partition import ParsedPartition, parse_partition, partition_path
    from remote_store.ext.streams import (
        ChecksumReader,
        ChecksumWriter,
        ProgressReader,
        ProgressWriter,
        read_with_progress,
    )
    from remote_store.ext.transfer import download, transfer, upload
    from remote_store.ext.write import HashingAtomicWriter, open_atomic_with_hash, write_with_hash
