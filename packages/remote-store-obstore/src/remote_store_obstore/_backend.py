"""ObstoreBackend: the sync backend shared by the three services, on obstore's sync API.

obstore's sync calls release the GIL and run on its own Rust runtime, so every operation
here is one or two direct calls: no event loop hop. obstore retries per the backend's
:class:`RetryPolicy` (mapped in :mod:`._flavours`); errors are typed by :mod:`._errors`.
Writes live in :mod:`._writes`, listings and deletes of many in :mod:`._listing`.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, BinaryIO, NoReturn, TypeVar

from remote_store.backend import (
    AlreadyExists,
    Backend,
    Capability,
    CapabilitySet,
    ConfigError,
    FileInfo,
    FolderEntry,
    FolderInfo,
    FolderSemantics,
    InvalidPath,
    NotFound,
    ResolutionPlan,
    WritableContent,
    WriteResult,
    glob_by_listing,
)

from remote_store_obstore import _listing, _writes
from remote_store_obstore._convert import file_info
from remote_store_obstore._errors import classify, raise_typed
from remote_store_obstore._flavours import (
    DEFAULT_LIMIT,
    PART_SIZE,
    UPLOAD_CONCURRENCY,
    Flavour,
    check_upload_options,
)
from remote_store_obstore._reader import STREAM_CHUNK, ObjectReader

__all__ = ["CAPABILITIES", "CONDITIONAL_CAPABILITIES", "PART_SIZE", "ObstoreBackend"]

T = TypeVar("T")

#: What every obstore backend does. Not ATOMIC_MOVE (a move is a copy and a delete) and
#: not WRITE_RESULT_NATIVE (obstore's put returns no modification time). Not
#: CONDITIONAL_WRITE either: only the services whose conditional put takes an etag
#: declare it (:data:`CONDITIONAL_CAPABILITIES`).
CAPABILITIES = CapabilitySet(
    set(Capability)
    - {Capability.ATOMIC_MOVE, Capability.WRITE_RESULT_NATIVE, Capability.CONDITIONAL_WRITE}
)

#: S3 and Azure: the common capabilities plus CONDITIONAL_WRITE (``If-Match`` with the
#: etag, ``If-None-Match: *``). GCS's conditional put takes the object generation instead.
CONDITIONAL_CAPABILITIES = CapabilitySet(set(CAPABILITIES) | {Capability.CONDITIONAL_WRITE})


class ObstoreBackend(Backend):
    """Files in one bucket or container, through an obstore store (see the subclasses)."""

    CAPABILITIES = CAPABILITIES

    def __init__(
        self,
        flavour: Flavour,
        *,
        part_size: int = PART_SIZE,
        max_concurrency: int = UPLOAD_CONCURRENCY,
        reject_write_under_file_ancestor: bool = False,
        exclusive_create_limit: int | None = DEFAULT_LIMIT,
    ) -> None:
        self.exclusive_create_limit = check_upload_options(
            flavour.name, part_size, max_concurrency, exclusive_create_limit
        )
        self._flavour = flavour
        self.retry_policy = flavour.policy
        self.part_size = part_size
        self.max_concurrency = max_concurrency
        self.reject_write_under_file_ancestor = bool(reject_write_under_file_ancestor)
        self._store: Any = None
        self._store = self._build()

    def _build(self) -> Any:
        try:
            return self._flavour.build()
        except Exception as exc:
            raise ConfigError(f"{self.name}: {classify(exc, None, self.name)}") from None

    @property
    def name(self) -> str:
        return self._flavour.name

    @property
    def location(self) -> str:
        """``s3-obstore bucket '<bucket>'``, ``azure-obstore account '<a>' container '<c>'``..."""
        return self._flavour.location()

    @property
    def folder_semantics(self) -> FolderSemantics:
        """Flat keys; a write below a file is refused with ``reject_write_under_file_ancestor``."""
        return FolderSemantics(
            keeps_empty_folders=False,
            rejects_file_ancestors=self.reject_write_under_file_ancestor,
        )

    @property
    def store(self) -> Any:
        """The obstore store (built at construction; a pickle carries the constructor's
        arguments, never the store, which holds the credentials in clear)."""
        if self._store is None:
            self._store = self._build()
        return self._store

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._flavour!r})"

    # -- the call wrapper -------------------------------------------------------------

    def _fail(self, exc: BaseException, path: str | None) -> NoReturn:
        raise_typed(exc, path, self.name)

    def _head(self, path: str) -> dict[str, Any] | None:
        """The object's ``ObjectMeta``, ``None`` when no object has this key."""
        import obstore

        try:
            return obstore.head(self.store, path)  # type: ignore[return-value]
        except FileNotFoundError:
            return None
        except Exception as exc:
            self._fail(exc, path)

    def _missing(self, path: str, what: str = "file") -> NoReturn:
        """Raise :class:`InvalidPath` when ``path`` is a folder, else :class:`NotFound`."""
        if path and self.is_folder(path):
            raise InvalidPath(f"not a {what}", path=path, backend=self.name)
        raise NotFound(f"{what} not found", path=path, backend=self.name)

    def map_error(self, exc: BaseException, path: str | None = None) -> Any:
        """Type an obstore exception (class, then the HTTP status in its text)."""
        return classify(exc, path, self.name)

    # -- queries ----------------------------------------------------------------------

    def is_file(self, path: str) -> bool:
        return path != "" and self._head(path) is not None

    def is_folder(self, path: str) -> bool:
        return path == "" or _listing.first_key(self, path) is not None

    def get_file_info(self, path: str) -> FileInfo:
        """One HEAD (with the object's attributes: content type and user metadata)."""
        import obstore

        try:
            result = obstore.get(self.store, path, options={"head": True})
        except FileNotFoundError:
            self._missing(path)
        except Exception as exc:
            self._fail(exc, path)
        return file_info(result.meta, result.attributes)

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        """One GET, streamed as it is read; a seek re-opens at the offset with a Range."""
        import obstore

        try:
            result = obstore.get(self.store, path)
        except FileNotFoundError:
            self._missing(path)
        except Exception as exc:
            self._fail(exc, path)
        meta = result.meta
        etag = meta.get("e_tag")

        def open_from(offset: int) -> Iterator[bytes]:
            options: dict[str, Any] = {"range": {"offset": offset}}
            if etag:
                options["if_match"] = etag
            reopened = obstore.get(self.store, path, options=options)  # type: ignore[arg-type]
            return iter(reopened.stream(min_chunk_size=STREAM_CHUNK))

        reader = ObjectReader(
            iter(result.stream(min_chunk_size=STREAM_CHUNK)),
            int(meta["size"]),
            open_from,
            lambda exc: classify(exc, path, self.name),
        )
        return io.BufferedReader(reader, STREAM_CHUNK)

    def read_bytes(self, path: str) -> bytes:
        import obstore

        try:
            return bytes(obstore.get(self.store, path).bytes())
        except FileNotFoundError:
            self._missing(path)
        except Exception as exc:
            self._fail(exc, path)

    def read_seekable(self, path: str) -> BinaryIO:
        """The same stream as :meth:`read`: it seeks with ranged GETs."""
        return self.read(path)

    # -- writes (:mod:`._writes`) -----------------------------------------------------

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """One PUT: create-only (``If-None-Match: *``) up to ``exclusive_create_limit``,
        overwriting up to ``part_size``; a longer stream is a multipart upload with at most
        ``max_concurrency`` parts in memory (see :mod:`._writes`)."""
        return _writes.write(self, path, content, overwrite=overwrite, metadata=metadata)

    def write_atomic(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """The same as :meth:`write`: a PUT or a completed multipart upload is atomic."""
        return self.write(path, content, overwrite=overwrite, metadata=metadata)

    def write_conditional(
        self,
        path: str,
        content: WritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """One PUT carrying ``If-Match: <etag>`` or ``If-None-Match: *``, checked by the
        service; the content is gathered in memory (obstore sends a conditional put whole).
        A refused condition raises :class:`PreconditionFailed` (see :mod:`._conditional`)."""
        if Capability.CONDITIONAL_WRITE not in self.capabilities:
            raise self._refuse(Capability.CONDITIONAL_WRITE, path)
        from remote_store_obstore import _conditional  # loaded on first use

        return _conditional.write_conditional(
            self,
            path,
            content,
            if_match=if_match,
            if_none_match=if_none_match,
            metadata=metadata,
        )

    # -- deletes ----------------------------------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        import obstore

        if self._head(path) is None:
            if path and self.is_folder(path):
                raise InvalidPath("not a file", path=path, backend=self.name)
            if missing_ok:
                return
            raise NotFound("file not found", path=path, backend=self.name)
        try:
            obstore.delete(self.store, path)
        except Exception as exc:
            self._fail(exc, path)

    def delete_many(
        self, keys: Sequence[str], *, missing_ok: bool = False
    ) -> dict[str, BaseException | None]:
        """Delete files: concurrent HEADs, then obstore's bulk delete (S3: DeleteObjects by
        1000). Returns each key's outcome: ``None`` or the error (``NotFound``,
        ``InvalidPath`` for a folder)."""
        return _listing.delete_many(self, keys, missing_ok=missing_ok)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        _listing.delete_folder(self, path, recursive=recursive, missing_ok=missing_ok)

    # -- listings (:mod:`._listing`) --------------------------------------------------

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        """Recursive: obstore's paginated listing, streamed in the service's key order.
        One level: one delimited listing (held in memory, sorted)."""
        return _listing.list_files(self, path, recursive=recursive, max_depth=max_depth)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        return (e for e in _listing.children(self, path) if isinstance(e, FolderEntry))

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        return iter(_listing.children(self, path))

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return glob_by_listing(self, pattern)

    def get_folder_info(self, path: str) -> FolderInfo:
        """One recursive listing, aggregated as it streams."""
        return _listing.folder_info(self, path)

    # -- copy and move ----------------------------------------------------------------

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Server-side copy (user metadata kept); without ``overwrite`` the service refuses
        an existing destination where it can (Azure), else a HEAD checks first."""
        import obstore

        if self._head(src) is None:
            self._missing(src, "source")
        native = not overwrite and self._flavour.native_copy_if_not_exists
        if not overwrite and not native and self._head(dst) is not None:
            raise AlreadyExists("destination exists", path=dst, backend=self.name)
        try:
            obstore.copy(self.store, src, dst, overwrite=not native)
        except Exception as exc:
            self._fail(exc, dst)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy, then delete the source (no service here has a rename)."""
        import obstore

        self.copy(src, dst, overwrite=overwrite)
        try:
            obstore.delete(self.store, src)
        except Exception as exc:
            self._fail(exc, src)

    # -- naming, health, lifecycle ----------------------------------------------------

    def native_path(self, path: str) -> str:
        container = self._flavour.container
        return f"{container}/{path}" if path else container

    def to_key(self, native_path: str) -> str:
        text = native_path.removeprefix(self._flavour.scheme)
        container = self._flavour.container
        if text == container:
            return ""
        return text.removeprefix(container + "/") if text.startswith(container + "/") else text

    def resolve(self, path: str) -> ResolutionPlan:
        plan = super().resolve(path)
        details = {
            "container": self._flavour.container,
            "object_key": path,
            "endpoint": self._flavour.endpoint(),
        }
        return dataclasses.replace(plan, details=details)

    def check_health(self) -> None:
        """One listing request on the bucket (fails when it is missing or unreachable)."""
        _listing.first_key(self, "")

    def close(self) -> None:
        """Nothing to release: obstore's connection pool goes with the store."""

    def unwrap(self, type_hint: type[T]) -> T:
        """The obstore store (``S3Store``, ``AzureStore``, ``GCSStore``)."""
        if isinstance(self.store, type_hint):
            return self.store
        return super().unwrap(type_hint)
