"""The Store logic that does no I/O, written once for :class:`Store` and ``AsyncStore``.

Path normalisation and root scoping, capability gates, argument checks, rebasing of
results onto the store root, and which listed entries a store shows live here; the
operations that call the backend are written once in :mod:`remote_store.aio._store_ops`
(the sync ones are generated from it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from copy import copy
from typing import Any, Generic, TypeVar

from remote_store import _open_stores
from remote_store._capabilities import Capability, CapabilitySet, not_supported
from remote_store._models import FileInfo, FolderEntry, FolderInfo, ResolutionPlan, WriteResult
from remote_store._path import RemotePath, check_key, normalize_key
from remote_store._streams import MappedReader
from remote_store._validation import check_content, check_max_depth, check_metadata
from remote_store.errors import InvalidArgument, InvalidPath, NotFound, RemoteStoreError

__all__ = ["BULK_DELETE_BATCH", "DeleteOutcomes", "StoreCore", "head_result"]

B = TypeVar("B")
R = TypeVar("R")
T = TypeVar("T")
Entry = TypeVar("Entry", FileInfo, FolderEntry, FolderInfo)

_ROOT_SPELLINGS = ("", ".")
#: Most keys handed to one ``Backend.delete_many`` call (S3 DeleteObjects' limit).
BULK_DELETE_BATCH = 1000
#: What ``delete_many`` returns: the outcome of each path as the caller gave it.
DeleteOutcomes = dict[str, RemoteStoreError | None]


def head_result(info: FileInfo) -> WriteResult:
    """A file's metadata as the ``WriteResult`` that ``head`` returns (``source="sidecar"``)."""
    return WriteResult(
        path=str(info.path),
        size=info.size,
        source="sidecar",
        digest=info.digest,
        etag=info.etag,
        version_id=info.version_id,
        last_modified=info.modified_at,
        metadata=info.metadata,
    )


class StoreCore(Generic[B]):
    """Shared state and pure logic of a store over a backend of type ``B``."""

    __slots__ = (
        "__weakref__",
        "_backend",
        "_capabilities",
        "_location_text",
        "_owns",
        "_prefix",
        "_root",
        "_sdk_release",
        "_writable",
    )

    def __init__(self, backend: B, root_path: str = "", *, _owns: bool = True) -> None:
        if not hasattr(backend, "capabilities") or not hasattr(backend, "name"):
            raise InvalidArgument(f"not a backend: {type(backend).__name__}")
        self._backend = backend
        self._capabilities: CapabilitySet = backend.capabilities
        # the write fast path's gate, as one attribute read (a set lookup costs 2-3 of them)
        self._writable = Capability.WRITE in self._capabilities
        self._root = "" if root_path in (None, *_ROOT_SPELLINGS) else check_key(root_path)
        self._prefix = self._root + "/" if self._root else ""
        self._owns = _owns
        self._location_text: str | None = None
        # SDK loggers are masked while any store is open; a store that is never
        # closed releases its count when it is collected.
        self._sdk_release = _open_stores.opened(self)

    def _release_sdk_redaction(self) -> None:
        """This store no longer keeps the SDK log masking on (idempotent)."""
        release = getattr(self, "_sdk_release", None)
        if release is not None:
            release()

    # -- pickling ---------------------------------------------------------------------

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the backend (its constructor's options) and the root; the copy owns
        its own backend, built again on the other side with fresh clients."""
        return (_rebuild_store, (type(self), self._backend, self._root))

    def __dask_tokenize__(self) -> object:
        """The same token for two stores built from the same options and root."""
        token = getattr(self._backend, "__dask_tokenize__", None)
        backend = token() if token is not None else id(self._backend)
        return (f"{type(self).__module__}.{type(self).__qualname__}", self._root, backend)

    # -- keys -------------------------------------------------------------------------

    @property
    def root_path(self) -> str:
        """The store's root inside its backend (``""`` for the backend root)."""
        return self._root

    def _file_key(self, path: object) -> str:
        """Backend key of a file path; the root is refused."""
        if type(path) is str:
            if path in _ROOT_SPELLINGS:
                raise InvalidPath("path must not be empty or the store root", path=path)
            return self._prefix + normalize_key(path)
        if isinstance(path, RemotePath) and not path._key:
            raise InvalidPath("path must not be empty or the store root", path=str(path))
        return self._prefix + check_key(path)

    def _folder_key(self, path: object) -> str:
        """Backend key of a folder path; ``""`` and ``"."`` are the store root."""
        if type(path) is str and path in _ROOT_SPELLINGS:
            return self._root
        if isinstance(path, RemotePath) and not path._key:
            return self._root
        return self._prefix + check_key(path)

    def _relative(self, key: str) -> str:
        """The store-relative form of a backend key."""
        if not self._prefix:
            return key
        if key == self._root:
            return ""
        if key.startswith(self._prefix):
            return key[len(self._prefix) :]
        raise InvalidPath("path is not under the store root", path=key)

    # -- gates and checks -------------------------------------------------------------

    @property
    def _backend_name(self) -> str:
        return str(self._backend.name)  # type: ignore[attr-defined]

    def supports(self, capability: Capability) -> bool:
        """Whether the backend declares ``capability``."""
        return capability in self._capabilities

    def _gate(self, capability: Capability, path: str | None = None) -> None:
        if capability not in self._capabilities:
            raise not_supported(capability, self._capabilities, self._backend_name, path)

    def _check_write(
        self, path: object, content: object, metadata: Mapping[str, str] | None, gate: Capability
    ) -> tuple[str, dict[str, str] | None]:
        """Key and checked metadata of a write; every refusal happens before I/O."""
        key = self._file_key(path)
        checked = check_metadata(metadata)
        if checked is not None:
            self._gate(Capability.USER_METADATA, key)
        self._gate(gate, key)
        if content is not None:
            check_content(content)
        return key, checked

    def _check_condition(
        self, key: str, overwrite: bool, if_match: object, if_none_match: object
    ) -> None:
        """Refuse a malformed conditional write before I/O (``CONDITIONAL_WRITE``)."""
        if if_match is not None and if_none_match is not None:
            raise InvalidArgument("give if_match or if_none_match, not both", path=key)
        if if_none_match is not None:
            if if_none_match != "*":
                raise InvalidArgument(f"if_none_match must be '*', got {if_none_match!r}")
            if overwrite:
                raise InvalidArgument("if_none_match='*' contradicts overwrite=True", path=key)
        elif not isinstance(if_match, str) or not if_match:
            raise InvalidArgument(f"if_match must be a non-empty etag, got {if_match!r}")
        self._gate(Capability.CONDITIONAL_WRITE, key)

    def _bulk_batches(
        self, paths: Iterable[str], outcomes: DeleteOutcomes
    ) -> Iterator[dict[str, list[str]]]:
        """Backend keys of ``paths`` in batches (key -> the caller's spellings of it); a
        path that is no valid file path gets its error in ``outcomes`` and no I/O."""
        if isinstance(paths, (str, bytes)):
            raise InvalidArgument("paths must be an iterable of paths, not one string")
        self._gate(Capability.BULK_DELETE)
        batch: dict[str, list[str]] = {}
        for path in paths:
            try:
                key = self._file_key(path)
            except RemoteStoreError as exc:
                outcomes[path] = self._locate(exc, path)
                continue
            batch.setdefault(key, []).append(path)
            if len(batch) == BULK_DELETE_BATCH:
                yield batch
                batch = {}
        if batch:
            yield batch

    def _settle_bulk(
        self,
        batch: dict[str, list[str]],
        reported: Mapping[str, BaseException | None],
        missing_ok: bool,
        outcomes: DeleteOutcomes,
    ) -> None:
        """Record the backend's outcome of each key for every caller path naming it."""
        for key, spellings in batch.items():
            if key in reported:
                error = reported[key]
                mapped = None if error is None else self._map(error, key)
            else:
                mapped = RemoteStoreError(
                    "delete_many reported no outcome", path=key, backend=self._backend_name
                )
            if missing_ok and isinstance(mapped, NotFound):
                mapped = None
            for path in spellings:
                # each spelling gets its own copy of the error, naming that spelling
                error = mapped if mapped is None or len(spellings) == 1 else copy(mapped)
                outcomes[path] = None if error is None else self._locate(error, path)

    def _needs_create_check(self, overwrite: bool) -> bool:
        """Whether the Store must check for an existing file (no native create-exclusive)."""
        return not overwrite and Capability.EXCLUSIVE_CREATE not in self._capabilities

    @staticmethod
    def _depth_args(recursive: bool, max_depth: int | None) -> tuple[bool, int | None]:
        check_max_depth(max_depth)
        return (max_depth > 0 if max_depth is not None else recursive), max_depth

    # -- rebasing ---------------------------------------------------------------------

    def _rebase(self, entry: Entry) -> Entry:
        if not self._prefix:
            return entry
        return entry._replace(path=RemotePath._trusted(self._relative(entry.path._key)))

    def _rebase_result(self, result: WriteResult) -> WriteResult:
        if not self._prefix:
            return result
        return result._replace(path=self._relative(str(result.path)))

    def _inside(self, entry: FileInfo | FolderEntry) -> bool:
        """Whether a listed entry lies below the store root: every listing drops what a
        backend returns beyond the folder it was asked for, on sync and async stores."""
        return not self._prefix or entry.path._key.startswith(self._prefix)

    def _folder_matches(self, entry: FolderEntry, pattern: str | None) -> bool:
        """Whether ``list_folders`` yields ``entry`` (inside the root, name matches)."""
        if not self._inside(entry):
            return False
        if pattern is None:
            return True
        from fnmatch import fnmatchcase  # loaded on first use: keeps the import light

        return fnmatchcase(entry.name, pattern)

    def _glob_key(self, pattern: str) -> str:
        if not isinstance(pattern, str) or not pattern:
            raise InvalidArgument("glob pattern must be a non-empty str")
        parts = [p for p in pattern.replace("\\", "/").split("/") if p and p != "."]
        if ".." in parts or "\x00" in pattern:
            raise InvalidPath("glob pattern must not contain '..' or NUL", path=pattern)
        return self._prefix + "/".join(parts)

    def _plan(self, raw_key: str, plan: ResolutionPlan) -> ResolutionPlan:
        return plan._replace(key=raw_key)

    def _to_store_key(self, backend_key: str) -> str:
        if not self._prefix:
            return backend_key
        if backend_key != self._root and not backend_key.startswith(self._prefix):
            raise InvalidPath("native path is not under the store root", path=backend_key)
        return self._relative(backend_key)

    def _is_root(self, path: object) -> bool:
        return self._folder_key(path) == self._root

    # -- identity ---------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._backend is other._backend and self._root == other._root

    def __hash__(self) -> int:
        return hash((id(self._backend), self._root))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(backend={self._backend_name!r}, root_path={self._root!r})"

    def _call_sync(self, key: str | None, method: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """A synchronous backend call with native exceptions mapped to typed errors."""
        try:
            return method(*args, **kwargs)
        except RemoteStoreError:
            raise
        except Exception as exc:
            raise self._map(exc, key) from exc

    # -- naming and introspection (no I/O, the same for sync and async stores) ---------

    def unwrap(self, type_hint: type[T]) -> T:
        """The backend's native client of type ``type_hint`` (bypasses root scoping)."""
        if isinstance(self._backend, type_hint):
            return self._backend
        try:
            unwrapped: T = self._call_sync(None, self._backend.unwrap, type_hint)  # type: ignore[attr-defined]
        except RemoteStoreError as exc:
            self._locate(exc, None)
            raise
        return unwrapped

    def resolve(self, key: str) -> ResolutionPlan:
        """How ``key`` maps onto the backend; no I/O."""
        try:
            full = self._folder_key(key)
            return self._plan(key, self._call_sync(full, self._backend.resolve, full))  # type: ignore[attr-defined]
        except RemoteStoreError as exc:
            self._locate(exc, key)
            raise

    def native_path(self, key: str) -> str:
        """The backend-native path of a store key."""
        try:
            full = self._folder_key(key)
            native: str = self._call_sync(full, self._backend.native_path, full)  # type: ignore[attr-defined]
        except RemoteStoreError as exc:
            self._locate(exc, key)
            raise
        return native

    def to_key(self, path: str) -> str:
        """The store key of a backend-native path; refuses paths outside the store root."""
        try:
            backend_key: str = self._call_sync(path, self._backend.to_key, path)  # type: ignore[attr-defined]
            return self._to_store_key(backend_key)
        except RemoteStoreError as exc:
            self._locate(exc, None)  # a native path is no store path
            raise

    @property
    def backend(self) -> B:
        """The backend this store talks to."""
        return self._backend

    @property
    def capabilities(self) -> CapabilitySet:
        """The backend's capability set."""
        return self._capabilities

    # -- naming the caller's path and the backend's location in errors ----------------

    @property
    def _location(self) -> str:
        """The backend's location for error messages: its ``location`` (masked once more
        as a safety net), starting with the backend's name; never raises."""
        text = self._location_text
        if text is None:
            name = self._backend_name
            try:
                raw = getattr(self._backend, "location", None)
            except Exception:  # a broken property must not hide the error being raised
                raw = None
            if isinstance(raw, str) and raw.strip():
                # URL userinfo and sig=-style fields only: masking every known Secret value
                # would also hit public words equal to some secret ("postgres")
                from remote_store._secret import redact_url  # first error only: light import

                text = redact_url(raw)
            else:
                text = name
            if not text.startswith(name):
                text = f"{name} {text}"
            self._location_text = text
        return text

    def _locate(self, exc: RemoteStoreError, path: object) -> RemoteStoreError:
        """Name the caller's ``path`` (as given) and the backend location in ``exc``.

        The backend key the error named (or, when it named none, the key of ``path``)
        moves to ``exc.key``. Idempotent: a nested public call re-locating the same
        error keeps the key found first.
        """
        caller = str(path) if isinstance(path, (str, RemotePath)) else None
        named = exc.path
        if named is not None and named != caller:
            exc.key = named
        elif exc.key is None and caller is not None:
            try:
                exc.key = self._folder_key(caller)
            except RemoteStoreError:  # the path itself is malformed: no key
                pass
        if caller is not None:
            exc.path = caller
        if exc.backend is None:
            exc.backend = self._backend_name
        exc.location = self._location
        return exc

    def _locate_pair(self, exc: RemoteStoreError, src: object, dst: object) -> RemoteStoreError:
        """:meth:`_locate` for ``move``/``copy``: the destination when the error names it
        (its key, its text, or an ancestor of it that is none of the source's)."""
        named = exc.path
        keys: list[str | None] = []
        for path in (src, dst):
            try:
                keys.append(self._folder_key(path))
            except RemoteStoreError:
                keys.append(None)
        src_key, dst_key = keys
        is_dst = False
        if named is not None and named != src and named != src_key:
            is_dst = named in (dst, dst_key) or (
                dst_key is not None
                and dst_key.startswith(named + "/")
                and not (src_key or "").startswith(named + "/")
            )
        return self._locate(exc, dst if is_dst else src)

    def _reader(self, stream: Any, key: str, path: object) -> MappedReader:
        """``stream`` with native errors mapped and every error located."""
        return _LocatedReader(stream, lambda exc: self._locate(self._map(exc, key), path))

    def _map(self, exc: BaseException, key: str | None) -> RemoteStoreError:
        if isinstance(exc, RemoteStoreError):
            return exc
        mapper: Any = getattr(self._backend, "map_error", None)
        if mapper is None:
            return RemoteStoreError(type(exc).__name__, path=key, backend=self._backend_name)
        mapped = mapper(exc, key)
        if not isinstance(mapped, RemoteStoreError):
            return RemoteStoreError(type(exc).__name__, path=key, backend=self._backend_name)
        return mapped


class _LocatedReader(MappedReader):
    """A :class:`MappedReader` whose typed errors also name the caller's path."""

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except RemoteStoreError as exc:
            self._map_error(exc)  # locates it in place
            raise
        except Exception as exc:
            raise self._map_error(exc) from exc


def _rebuild_store(cls: Callable[..., Any], backend: Any, root: str) -> Any:
    return cls(backend, root)
