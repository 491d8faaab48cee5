"""Backends: ``LocalBackend`` and ``MemoryBackend`` ship with the core; the 0.27 names of
plugin backends (``S3Backend``, ``SFTPBackend``...) resolve through entry points when
their distribution is installed and otherwise raise an ``ImportError`` naming it."""

from __future__ import annotations

from typing import Any

from remote_store._backend import Backend
from remote_store.backends._local import LocalBackend
from remote_store.backends._memory import MemoryBackend

__all__ = ["Backend", "LocalBackend", "MemoryBackend"]

# 0.27 name -> (backend type whose module exports it, attribute name)
_PLUGIN_NAMES = {
    "S3Backend": ("s3", "S3Backend"),
    "S3PyArrowBackend": ("s3-pyarrow", "S3PyArrowBackend"),
    "SFTPBackend": ("sftp", "SFTPBackend"),
    "SFTPUtils": ("sftp", "SFTPUtils"),
    "AzureBackend": ("azure", "AzureBackend"),
    "ReadOnlyHttpBackend": ("http", "ReadOnlyHttpBackend"),
    "SQLBlobBackend": ("sql-blob", "SQLBlobBackend"),
    "SQLQueryBackend": ("sql-query", "SQLQueryBackend"),
    "ArrowSerializer": ("sql-query", "ArrowSerializer"),
    "ResultSerializer": ("sql-query", "ResultSerializer"),
}


def __getattr__(name: str) -> Any:
    target = _PLUGIN_NAMES.get(name)
    if target is None:
        raise AttributeError(f"module 'remote_store.backends' has no attribute {name!r}")
    from remote_store import _discovery
    from remote_store.errors import UnknownBackendType

    type_name, attribute = target
    try:
        module = _discovery.load_module_of(type_name)
    except UnknownBackendType:
        raise ImportError(
            f"{name} needs the {type_name!r} backend: {_discovery.install_hint(type_name)}",
            name=name,
        ) from None
    return getattr(module, attribute)


def __dir__() -> list[str]:
    return sorted([*__all__, *_PLUGIN_NAMES])
