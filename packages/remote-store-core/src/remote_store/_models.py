"""The frozen data models returned by stores and backends.

The models behave as the frozen dataclasses they used to be (same fields, equality,
hashing, repr, pickling; assignment raises :class:`dataclasses.FrozenInstanceError`;
``dataclasses.fields``, ``replace`` and ``asdict`` work on them) but are plain
``__slots__`` classes: a frozen dataclass sets each field through ``object.__setattr__``,
about 1 us for an eight-field ``WriteResult``, which was most of a memory-backend write.
Each model is filled as an instance of a mutable twin class (the ``_...Slots`` base, plain
slot stores) and then switched to the frozen public class, which shares its layout. The
dataclass view (``__dataclass_fields__``) is built on first use, so importing the package
does not import :mod:`dataclasses`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from types import MappingProxyType
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Literal,
    Protocol,
    Self,
    TypeVar,
    runtime_checkable,
)

from remote_store._path import RemotePath
from remote_store.errors import InvalidArgument

if TYPE_CHECKING:
    import dataclasses

__all__ = [
    "ContentDigest",
    "FileInfo",
    "FolderEntry",
    "FolderInfo",
    "FolderSemantics",
    "PathEntry",
    "ResolutionPlan",
    "WriteResult",
    "WriteSource",
]

WriteSource = Literal["native", "basic", "sidecar"]
_HEX = frozenset("0123456789abcdef")
_REQUIRED: Any = object()  # a field without a default
M = TypeVar("M", bound="_Model")
_new = object.__new__


def _frozen_error(message: str) -> AttributeError:
    from dataclasses import FrozenInstanceError  # only on the error path: keeps the import light

    return FrozenInstanceError(message)


class FolderSemantics:
    """How a backend's folders behave, as the backend declares it (never guessed).

    ``keeps_empty_folders``: a folder outlives its last file and is created by a write
    below it (local, memory, SFTP); a flat store (S3, Azure blobs, SQL) has a folder only
    while a key lies below it. ``rejects_file_ancestors``: a write, move or copy to a path
    below a file raises ``InvalidPath`` instead of creating a key next to the file.
    Immutable, compared and hashed by value.
    """

    __slots__ = ("keeps_empty_folders", "rejects_file_ancestors")

    keeps_empty_folders: bool
    rejects_file_ancestors: bool

    #: Real folders: kept when empty, never below a file (local, memory, SFTP).
    HIERARCHICAL: ClassVar[FolderSemantics]
    #: Folders are key prefixes: gone with their last key; a key may sit below a file.
    FLAT: ClassVar[FolderSemantics]

    def __init__(self, keeps_empty_folders: bool, rejects_file_ancestors: bool) -> None:
        object.__setattr__(self, "keeps_empty_folders", bool(keeps_empty_folders))
        object.__setattr__(self, "rejects_file_ancestors", bool(rejects_file_ancestors))

    def __setattr__(self, name: str, value: object) -> None:
        raise _frozen_error(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen_error(f"cannot delete field {name!r}")

    def _key(self) -> tuple[bool, bool]:
        return (self.keeps_empty_folders, self.rejects_file_ancestors)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FolderSemantics):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"FolderSemantics(keeps_empty_folders={self.keeps_empty_folders}, "
            f"rejects_file_ancestors={self.rejects_file_ancestors})"
        )


FolderSemantics.HIERARCHICAL = FolderSemantics(
    keeps_empty_folders=True, rejects_file_ancestors=True
)
FolderSemantics.FLAT = FolderSemantics(keeps_empty_folders=False, rejects_file_ancestors=False)


def _reseal(obj: object, cls: type[M]) -> M:
    """Copy a filled twin instance into a subclass of a model whose layout differs (one
    with a ``__dict__``), where switching the instance's class is refused."""
    sealed = _new(cls)
    twin = type(obj)
    for name in cls._fields:  # through the twin's slots: a model may wrap one in a property
        getattr(twin, name).__set__(sealed, getattr(obj, name))
    return sealed


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stamp_datetime(stamp_ns: int) -> datetime:
    """The aware UTC ``datetime`` of a ``time.time_ns()`` stamp, truncated to the
    microsecond exactly as ``datetime.now(UTC)`` is (no float rounding)."""
    return _EPOCH + timedelta(microseconds=stamp_ns // 1000)


def native_write_result(
    path: str,
    size: int,
    last_modified: datetime | int,
    metadata: Mapping[str, str] | None,
    etag: str | int | None = None,
) -> WriteResult:
    """``WriteResult(path, size, "native", etag=..., last_modified=..., metadata=...)``,
    built without the constructor's call overhead: a memory-backend write returns one per
    call. ``last_modified`` may be a ``time.time_ns()`` stamp (an ``int``): the result then
    turns it into its ``datetime`` on first read (``datetime.now(UTC)`` costs about as
    much as the rest of a memory write, and most callers never look at it). ``etag`` may
    likewise be an ``int`` version counter: it reads as its decimal ``str``."""
    result = _new(_WriteResultSlots)
    result.path = path
    result.size = size
    result.source = "native"
    result.digest = None
    result.etag = etag  # type: ignore[assignment]  # an int: read lazily
    result.version_id = None
    result.last_modified = last_modified  # type: ignore[assignment]  # int: read lazily
    result.metadata = metadata
    result.__class__ = WriteResult
    return result  # type: ignore[return-value]


class _DataclassView:
    """``__dataclass_fields__`` / ``__dataclass_params__``, built on first access from a
    dataclass with the same fields, so the :mod:`dataclasses` functions accept the models."""

    def __init__(self) -> None:
        self._attr = ""
        self._cache: dict[type, Any] = {}

    def __set_name__(self, owner: type, name: str) -> None:
        self._attr = name

    def __get__(self, obj: object, owner: type[_Model]) -> Any:
        shadow = self._cache.get(owner)
        if shadow is None:
            import dataclasses

            spec: list[Any] = []
            for name, annotation, default in owner._spec:
                if default is _REQUIRED:
                    spec.append((name, annotation))
                elif default is dict:
                    spec.append((name, annotation, dataclasses.field(default_factory=dict)))
                else:
                    spec.append((name, annotation, dataclasses.field(default=default)))
            shadow = dataclasses.make_dataclass(
                owner.__name__, spec, frozen=True, eq=owner._fieldwise_eq
            )
            self._cache[owner] = shadow
        return getattr(shadow, self._attr)


class _Model:
    """Behaviour shared by the models: immutability, repr, equality, pickling."""

    __slots__ = ()
    # (name, annotation, default): ``_REQUIRED`` for none, ``dict`` for a fresh dict
    _spec: ClassVar[tuple[tuple[str, str, Any], ...]] = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _values: ClassVar[attrgetter[Any]]
    _fieldwise_eq: ClassVar[bool] = True

    if TYPE_CHECKING:
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
        __match_args__: ClassVar[tuple[str, ...]]
    else:
        __dataclass_fields__ = _DataclassView()
        __dataclass_params__ = _DataclassView()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_spec" in cls.__dict__:
            cls._fields = tuple(name for name, _, _ in cls._spec)
            cls._values = attrgetter(*cls._fields)  # a tuple: every model has 2+ fields
            cls.__match_args__ = cls._fields  # type: ignore[misc]

    def __setattr__(self, name: str, value: object) -> None:
        raise _frozen_error(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen_error(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        values = self._values(self)
        body = ", ".join(
            f"{name}={value!r}" for name, value in zip(self._fields, values, strict=True)
        )
        return f"{type(self).__qualname__}({body})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(self._values(self) == self._values(other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self._values(self))

    def _replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (what ``dataclasses.replace`` does)."""
        values = dict(zip(self._fields, self._values(self), strict=True))
        values.update(changes)
        return type(self)(**values)

    __replace__ = _replace  # copy.replace (Python 3.13+)


class _ContentDigestSlots:
    __slots__ = ("algorithm", "value")
    algorithm: str
    value: str


class ContentDigest(_Model, _ContentDigestSlots):
    """A content hash: ``algorithm`` (for example ``"sha256"``) and its hex ``value``."""

    __slots__ = ()
    _spec = (("algorithm", "str", _REQUIRED), ("value", "str", _REQUIRED))

    def __new__(cls, algorithm: str, value: str) -> Self:
        normal_algorithm = algorithm.strip().lower()
        normal_value = value.strip().lower()
        if not normal_algorithm:
            raise InvalidArgument("digest algorithm must not be empty")
        if not normal_value or not set(normal_value) <= _HEX:
            raise InvalidArgument(f"digest value must be non-empty hex, got {value!r}")
        self = _new(_ContentDigestSlots)
        self.algorithm = normal_algorithm
        self.value = normal_value
        try:
            self.__class__ = cls
        except TypeError:
            return _reseal(self, cls)
        return self  # type: ignore[return-value]


@runtime_checkable
class PathEntry(Protocol):
    """Anything with a ``name`` and a ``path``: files and folders in a listing."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> RemotePath: ...


class _FileInfoSlots:
    __slots__ = (
        "_mtime_ns",
        "content_type",
        "digest",
        "etag",
        "extra",
        "metadata",
        "modified_at",
        "name",
        "path",
        "size",
        "version_id",
    )
    _mtime_ns: int
    path: RemotePath
    name: str
    size: int
    modified_at: datetime | None
    digest: ContentDigest | None
    etag: str | None
    content_type: str | None
    metadata: Mapping[str, str] | None
    extra: dict[str, Any]
    version_id: str | None


class FileInfo(_Model, _FileInfoSlots):
    """Metadata of one file. Equal and hashed by ``path`` only."""

    __slots__ = ()
    _spec = (
        ("path", "RemotePath", _REQUIRED),
        ("name", "str", _REQUIRED),
        ("size", "int", _REQUIRED),
        ("modified_at", "datetime | None", _REQUIRED),
        ("digest", "ContentDigest | None", None),
        ("etag", "str | None", None),
        ("content_type", "str | None", None),
        ("metadata", "Mapping[str, str] | None", None),
        ("extra", "dict[str, Any]", dict),
        ("version_id", "str | None", None),
    )
    _fieldwise_eq = False

    def __new__(
        cls,
        path: RemotePath,
        name: str,
        size: int,
        modified_at: datetime | None,
        digest: ContentDigest | None = None,
        etag: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        version_id: str | None = None,
    ) -> Self:
        self = _new(_FileInfoSlots)
        self.path = path
        self.name = name
        self.size = size
        self.modified_at = modified_at
        self.digest = digest
        self.etag = etag
        self.content_type = content_type
        self.metadata = metadata
        self.extra = {} if extra is None else extra
        self.version_id = version_id
        try:
            self.__class__ = cls
        except TypeError:
            return _reseal(self, cls)
        return self  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FileInfo):
            return self.path == other.path
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.path)

    if not TYPE_CHECKING:

        @property
        def modified_at(self) -> datetime | None:
            """When the file was last modified (aware UTC), or ``None`` if unknown."""
            value = _raw_modified_at.__get__(self)
            if value is _FROM_STAMP:  # built by stamped_file_info: made on first read
                value = stamp_datetime(self._mtime_ns)
                _raw_modified_at.__set__(self, value)  # the same value for every reader
            return value


#: The slot behind ``FileInfo.modified_at`` (the property above reads through it).
_raw_modified_at: Any = _FileInfoSlots.__dict__["modified_at"]
#: Marks a ``modified_at`` still held as the ``_mtime_ns`` stamp (never a public value,
#: so a plugin's argument of any type is kept as given).
_FROM_STAMP: Any = object()


def stamped_file_info(
    path: RemotePath,
    name: str,
    size: int,
    mtime_ns: int,
    etag: str,
    metadata: Mapping[str, str] | None = None,
) -> FileInfo:
    """``FileInfo(path, name, size, <mtime_ns as datetime>, etag=etag, metadata=metadata)``,
    built without the constructor's call overhead and with ``modified_at`` made on first
    read (from the nanosecond stamp, truncated to the microsecond): a local stat or listing
    and a memory lookup build one per file, and most callers never look at the time."""
    info = _new(_FileInfoSlots)
    info.path = path
    info.name = name
    info.size = size
    info.modified_at = _FROM_STAMP
    info._mtime_ns = mtime_ns
    info.digest = None
    info.etag = etag
    info.content_type = None
    info.metadata = metadata
    info.extra = {}
    info.version_id = None
    info.__class__ = FileInfo
    return info  # type: ignore[return-value]


class _FolderEntrySlots:
    __slots__ = ("name", "path")
    path: RemotePath
    name: str


class FolderEntry(_Model, _FolderEntrySlots):
    """A folder in a listing. Equal and hashed by ``path``."""

    __slots__ = ()
    _spec = (("path", "RemotePath", _REQUIRED), ("name", "str", _REQUIRED))
    _fieldwise_eq = False

    def __new__(cls, path: RemotePath, name: str) -> Self:
        self = _new(_FolderEntrySlots)
        self.path = path
        self.name = name
        try:
            self.__class__ = cls
        except TypeError:
            return _reseal(self, cls)
        return self  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FolderEntry):
            return self.path == other.path
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.path)


class _FolderInfoSlots:
    __slots__ = ("extra", "file_count", "modified_at", "path", "total_size")
    path: RemotePath
    file_count: int
    total_size: int
    modified_at: datetime | None
    extra: dict[str, Any]


class FolderInfo(_Model, _FolderInfoSlots):
    """Aggregate metadata of a folder: file count and total size of everything below it."""

    __slots__ = ()
    _spec = (
        ("path", "RemotePath", _REQUIRED),
        ("file_count", "int", _REQUIRED),
        ("total_size", "int", _REQUIRED),
        ("modified_at", "datetime | None", None),
        ("extra", "dict[str, Any]", dict),
    )
    _fieldwise_eq = False

    def __new__(
        cls,
        path: RemotePath,
        file_count: int,
        total_size: int,
        modified_at: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Self:
        self = _new(_FolderInfoSlots)
        self.path = path
        self.file_count = file_count
        self.total_size = total_size
        self.modified_at = modified_at
        self.extra = {} if extra is None else extra
        try:
            self.__class__ = cls
        except TypeError:
            return _reseal(self, cls)
        return self  # type: ignore[return-value]

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


class _WriteResultSlots:
    __slots__ = (
        "digest",
        "etag",
        "last_modified",
        "metadata",
        "path",
        "size",
        "source",
        "version_id",
    )
    path: str
    size: int
    source: WriteSource
    digest: ContentDigest | None
    etag: str | None
    version_id: str | None
    last_modified: datetime | None
    metadata: Mapping[str, str] | None


class WriteResult(_Model, _WriteResultSlots):
    """What a write produced. ``source`` says where the rich fields came from:
    ``"native"`` (the backend's write response), ``"basic"`` (path and size only, or a
    stat after the write) or ``"sidecar"`` (a client-side helper such as ``head``).
    Compared field by field."""

    __slots__ = ()
    _spec = (
        ("path", "str", _REQUIRED),
        ("size", "int", _REQUIRED),
        ("source", "WriteSource", "basic"),
        ("digest", "ContentDigest | None", None),
        ("etag", "str | None", None),
        ("version_id", "str | None", None),
        ("last_modified", "datetime | None", None),
        ("metadata", "Mapping[str, str] | None", None),
    )

    def __new__(
        cls,
        path: str,
        size: int,
        source: WriteSource = "basic",
        digest: ContentDigest | None = None,
        etag: str | None = None,
        version_id: str | None = None,
        last_modified: datetime | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Self:
        self = _new(_WriteResultSlots)
        self.path = path
        self.size = size
        self.source = source
        self.digest = digest
        self.etag = etag
        self.version_id = version_id
        self.last_modified = last_modified
        self.metadata = metadata
        try:
            self.__class__ = cls
        except TypeError:
            return _reseal(self, cls)
        return self  # type: ignore[return-value]

    if not TYPE_CHECKING:

        @property
        def last_modified(self) -> datetime | None:
            """When the file was last modified (aware UTC), or ``None`` if unknown."""
            value = _raw_last_modified.__get__(self)
            if type(value) is int:  # a time_ns stamp from native_write_result
                value = stamp_datetime(value)
                _raw_last_modified.__set__(self, value)  # the same value for every reader
            return value

        @property
        def etag(self) -> str | None:
            """The storage's version tag of the written content, or ``None``."""
            value = _raw_etag.__get__(self)
            if type(value) is int:  # a version counter from native_write_result
                value = str(value)
                _raw_etag.__set__(self, value)
            return value


#: The slots behind ``WriteResult.last_modified`` and ``.etag`` (the properties above read
#: through them).
_raw_last_modified: Any = _WriteResultSlots.__dict__["last_modified"]
_raw_etag: Any = _WriteResultSlots.__dict__["etag"]


class _ResolutionPlanSlots:
    __slots__ = ("backend", "details", "key", "kind", "native_path")
    kind: str
    backend: str
    key: str
    native_path: str
    details: Mapping[str, Any]


class ResolutionPlan(_Model, _ResolutionPlanSlots):
    """How a key maps onto the backend: no I/O is done to build it."""

    __slots__ = ()
    _spec = (
        ("kind", "str", _REQUIRED),
        ("backend", "str", _REQUIRED),
        ("key", "str", _REQUIRED),
        ("native_path", "str", _REQUIRED),
        ("details", "Mapping[str, Any]", dict),
    )

    def __new__(
        cls,
        kind: str,
        backend: str,
        key: str,
        native_path: str,
        details: Mapping[str, Any] | None = None,
    ) -> Self:
        self = _new(_ResolutionPlanSlots)
        self.kind = kind
        self.backend = backend
        self.key = key
        self.native_path = native_path
        self.details = MappingProxyType(dict(details or {}))
        try:
            self.__class__ = cls
        except TypeError:
            return _reseal(self, cls)
        return self  # type: ignore[return-value]

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            type(self),
            (self.kind, self.backend, self.key, self.native_path, dict(self.details)),
        )
