"""The one table of this project's plugin distributions.

For each distribution: the extra of the meta distribution that installs it, the backend
types it registers, the optional extensions it provides (the 0.27 import paths
``remote_store.ext.<name>``), and the 0.27 names that ``remote_store.backends`` and
``remote_store.aio`` resolve to it. Install hints, ``remote_store.info()`` and every
0.27 import shim read this table; a new plugin distribution is one row here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "EXTENSIONS",
    "KNOWN_PLUGINS",
    "LEGACY_ASYNC_NAMES",
    "LEGACY_BACKEND_NAMES",
    "PLUGIN_DISTRIBUTIONS",
    "Extension",
    "KnownPlugin",
    "extension",
]


@dataclass(frozen=True, slots=True)
class Extension:
    """An optional extension: its 0.27 name, the module that implements it, its plugin."""

    name: str
    module: str
    distribution: str = ""
    extra: str = ""


@dataclass(frozen=True, slots=True)
class KnownPlugin:
    """One plugin distribution of this project and what it provides."""

    distribution: str
    extra: str
    backend_types: tuple[str, ...] = ()
    extensions: tuple[Extension, ...] = ()
    #: 0.27 names importable from ``remote_store.backends``: name -> backend type
    legacy_names: Mapping[str, str] = field(default_factory=dict)
    #: 0.27 names importable from ``remote_store.aio``: name -> async backend type
    legacy_async_names: Mapping[str, str] = field(default_factory=dict)


KNOWN_PLUGINS: tuple[KnownPlugin, ...] = (
    KnownPlugin("remote-store-core", "", ("local", "memory")),
    KnownPlugin("remote-store-s3", "s3", ("s3",), legacy_names={"S3Backend": "s3"}),
    KnownPlugin(
        "remote-store-s3-pyarrow",
        "s3-pyarrow",
        ("s3-pyarrow",),
        legacy_names={"S3PyArrowBackend": "s3-pyarrow"},
    ),
    KnownPlugin(
        "remote-store-azure",
        "azure",
        ("azure",),
        legacy_names={"AzureBackend": "azure"},
        legacy_async_names={"AsyncAzureBackend": "azure"},
    ),
    KnownPlugin("remote-store-gcs", "gcs", ("gcs",)),
    KnownPlugin("remote-store-obstore", "obstore", ("s3-obstore", "azure-obstore", "gcs-obstore")),
    KnownPlugin(
        "remote-store-sftp",
        "sftp",
        ("sftp",),
        legacy_names={"SFTPBackend": "sftp", "SFTPUtils": "sftp"},
    ),
    KnownPlugin(
        "remote-store-http", "http", ("http",), legacy_names={"ReadOnlyHttpBackend": "http"}
    ),
    KnownPlugin(
        "remote-store-sql", "sql", ("sql-blob",), legacy_names={"SQLBlobBackend": "sql-blob"}
    ),
    KnownPlugin(
        "remote-store-sql-query",
        "sql-query",
        ("sql-query",),
        legacy_names={
            "SQLQueryBackend": "sql-query",
            "ArrowSerializer": "sql-query",
            "ResultSerializer": "sql-query",
        },
    ),
    KnownPlugin(
        "remote-store-arrow",
        "arrow",
        extensions=(
            Extension("arrow", "remote_store_arrow.arrow"),
            Extension("parquet", "remote_store_arrow.parquet"),
        ),
    ),
    KnownPlugin("remote-store-otel", "otel", extensions=(Extension("otel", "remote_store_otel"),)),
    KnownPlugin("remote-store-yaml", "yaml", extensions=(Extension("yaml", "remote_store_yaml"),)),
    KnownPlugin(
        "remote-store-pydantic",
        "pydantic",
        extensions=(Extension("pydantic", "remote_store_pydantic"),),
    ),
    KnownPlugin(
        "remote-store-dagster",
        "dagster",
        extensions=(Extension("dagster", "remote_store_dagster"),),
    ),
    KnownPlugin(
        "remote-store-fsspec", "fsspec", extensions=(Extension("fsspec", "remote_store_fsspec"),)
    ),
)

#: backend type -> the distribution that provides it (for install hints)
PLUGIN_DISTRIBUTIONS: Mapping[str, str] = MappingProxyType(
    {t: p.distribution for p in KNOWN_PLUGINS for t in p.backend_types}
)
#: extension name -> the extension, with its distribution and meta extra filled in
EXTENSIONS: Mapping[str, Extension] = MappingProxyType(
    {
        e.name: Extension(e.name, e.module, p.distribution, p.extra)
        for p in KNOWN_PLUGINS
        for e in p.extensions
    }
)
#: 0.27 name in ``remote_store.backends`` -> backend type whose module exports it
LEGACY_BACKEND_NAMES: Mapping[str, str] = MappingProxyType(
    {n: t for p in KNOWN_PLUGINS for n, t in p.legacy_names.items()}
)
#: 0.27 name in ``remote_store.aio`` -> async backend type whose module exports it
LEGACY_ASYNC_NAMES: Mapping[str, str] = MappingProxyType(
    {n: t for p in KNOWN_PLUGINS for n, t in p.legacy_async_names.items()}
)


def extension(name: str) -> Extension:
    """The known extension ``name`` (``KeyError`` if there is none)."""
    return EXTENSIONS[name]


def plugin_of(distribution: str) -> KnownPlugin | None:
    """The row of ``distribution``, if it is one of this project's."""
    return next((p for p in KNOWN_PLUGINS if p.distribution == distribution), None)
