"""The frozen data models returned by stores and backends."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal, Protocol, runtime_checkable

from remote_store._path import RemotePath
from remote_store.errors import InvalidArgument

__all__ = [
    "ContentDigest",
    "FileInfo",
    "FolderEntry",
    "FolderInfo",
    "PathEntry",
    "ResolutionPlan",
    "WriteResult",
    "WriteSource",
]

WriteSource = Literal["native", "basic", "sidecar"]
_HEX = frozenset(string.hexdigits.lower())


@dataclass(frozen=True, slots=True)
class ContentDigest:
    """A content hash: ``algorithm`` (for example ``"sha256"``) and its hex ``value``."""

    algorithm: str
    value: str

    def __post_init__(self) -> None:
        algorithm = self.algorithm.strip().lower()
        value = self.value.strip().lower()
        if not algorithm:
            raise InvalidArgument("digest algorithm must not be empty")
        if not value or not set(value) <= _HEX:
            raise InvalidArgument(f"digest value must be non-empty hex, got {self.value!r}")
        object.__setattr__(self, "algorithm", algorithm)
        object.__setattr__(self, "value", value)


@runtime_checkable
class PathEntry(Protocol):
    """Anything with a ``name`` and a ``path``: files and folders in a listing."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> RemotePath: ...


@dataclass(frozen=True, slots=True, eq=False)
class FileInfo:
    """Metadata of one file. Equal and hashed by ``path`` only."""

    path: RemotePath
    name: str
    size: int
    modified_at: datetime | None
    digest: ContentDigest | None = None
    etag: str | None = None
    content_type: str | None = None
    metadata: Mapping[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    version_id: str | None = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FileInfo):
            return self.path == other.path
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.path)


@dataclass(frozen=True, slots=True, eq=False)
class FolderEntry:
    """A folder in a listing. Equal and hashed by ``path``."""

    path: RemotePath
    name: str

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FolderEntry):
            return self.path == other.path
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.path)


@dataclass(frozen=True, slots=True, eq=False)
class FolderInfo:
    """Aggregate metadata of a folder: file count and total size of everything below it."""

    path: RemotePath
    file_count: int
    total_size: int
    modified_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The folder's last segment."""
        return self.path.name

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FolderInfo):
            return self.path == other.path
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.path)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write produced. ``source`` says where the rich fields came from:
    ``"native"`` (the backend's write response), ``"basic"`` (path and size only, or a
    stat after the write) or ``"sidecar"`` (a client-side helper such as ``head``)."""

    path: str
    size: int
    source: WriteSource = "basic"
    digest: ContentDigest | None = None
    etag: str | None = None
    version_id: str | None = None
    last_modified: datetime | None = None
    metadata: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ResolutionPlan:
    """How a key maps onto the backend: no I/O is done to build it."""

    kind: str
    backend: str
    key: str
    native_path: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))
