"""AsyncObstoreBackend: the async backend, on obstore's ``*_async`` API.

Every call is awaited on the caller's event loop (obstore drives the I/O on its Rust
runtime and completes the Python future on that loop): no thread hop, no private loop.
Semantics are those of the sync :class:`~remote_store_obstore.ObstoreBackend`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, NoReturn, TypeVar

from remote_store.aio.backend import (
    AlreadyExists,
    AsyncBackend,
    AsyncWritableContent,
    Capability,
    ConfigError,
    FileInfo,
    FolderEntry,
    FolderInfo,
    FolderSemantics,
    InvalidArgument,
    InvalidPath,
    NotFound,
    RemoteStoreError,
    ResolutionPlan,
    WriteResult,
    literal_prefix,
    translate_glob,
)

from remote_store_obstore import _async_ops, _conditional
from remote_store_obstore._backend import CAPABILITIES, PART_SIZE
from remote_store_obstore._convert import Totals, file_info
from remote_store_obstore._errors import classify, raise_typed
from remote_store_obstore._flavours import (
    DEFAULT_LIMIT,
    UPLOAD_CONCURRENCY,
    Flavour,
    check_upload_options,
)
from remote_store_obstore._reader import STREAM_CHUNK

__all__ = ["AsyncObstoreBackend"]

T = TypeVar("T")


class AsyncObstoreBackend(AsyncBackend):
    """Files in one bucket or container for async code (see the service subclasses)."""

    #: The sync family's (S3 and Azure add CONDITIONAL_WRITE, as in sync).
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
        """The obstore store."""
        if self._store is None:
            self._store = self._build()
        return self._store

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._flavour!r})"

    def _fail(self, exc: BaseException, path: str | None) -> NoReturn:
        raise_typed(exc, path, self.name)

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        """Type an obstore exception (class, then the HTTP status in its text)."""
        return classify(exc, path, self.name)

    async def _head(self, path: str) -> dict[str, Any] | None:
        import obstore

        try:
            return await obstore.head_async(self.store, path)  # type: ignore[return-value]
        except FileNotFoundError:
            return None
        except Exception as exc:
            self._fail(exc, path)

    async def _missing(self, path: str, what: str = "file") -> NoReturn:
        if path and await self.is_folder(path):
            raise InvalidPath(f"not a {what}", path=path, backend=self.name)
        raise NotFound(f"{what} not found", path=path, backend=self.name)

    # -- queries ----------------------------------------------------------------------

    async def is_file(self, path: str) -> bool:
        return path != "" and await self._head(path) is not None

    async def is_folder(self, path: str) -> bool:
        return path == "" or await _async_ops.first_key(self, path) is not None

    async def exists(self, path: str) -> bool:
        return await self.is_file(path) or await self.is_folder(path)

    async def get_file_info(self, path: str) -> FileInfo:
        import obstore

        try:
            result = await obstore.get_async(self.store, path, options={"head": True})
        except FileNotFoundError:
            await self._missing(path)
        except Exception as exc:
            self._fail(exc, path)
        return file_info(result.meta, result.attributes)

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> AsyncIterator[bytes]:
        return self._stream(path, 0)

    def read_from(self, path: str, offset: int) -> AsyncIterator[bytes]:
        """A ranged GET from ``offset`` (nothing at or past the end)."""
        return self._stream(path, offset)

    async def _stream(self, path: str, offset: int) -> AsyncIterator[bytes]:
        import obstore

        options: dict[str, Any] = {"range": {"offset": offset}} if offset > 0 else {}
        try:
            result = await obstore.get_async(self.store, path, options=options)  # type: ignore[arg-type]
        except FileNotFoundError:
            await self._missing(path)
        except Exception as exc:
            error = classify(exc, path, self.name)
            if offset > 0 and isinstance(error, InvalidArgument):
                head = await self._head(path)  # 416: the offset is at or past the end
                if head is not None and offset >= int(head["size"]):
                    return
            self._fail(exc, path)
        try:
            async for chunk in result.stream(min_chunk_size=STREAM_CHUNK):
                yield chunk
        except Exception as exc:
            self._fail(exc, path)

    async def read_bytes(self, path: str) -> bytes:
        import obstore

        try:
            result = await obstore.get_async(self.store, path)
            return bytes(await result.bytes_async())
        except FileNotFoundError:
            await self._missing(path)
        except Exception as exc:
            self._fail(exc, path)

    # -- writes -----------------------------------------------------------------------

    async def write(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """One PUT: create-only (``If-None-Match: *``) up to ``exclusive_create_limit``,
        overwriting up to ``part_size``; a longer stream is a multipart upload with at most
        ``max_concurrency`` parts in memory (see :mod:`._writes`)."""
        return await _async_ops.write(self, path, content, overwrite=overwrite, metadata=metadata)

    async def write_atomic(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """The same as :meth:`write`: a PUT or a completed multipart upload is atomic."""
        return await self.write(path, content, overwrite=overwrite, metadata=metadata)

    async def write_conditional(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """One PUT carrying ``If-Match: <etag>`` or ``If-None-Match: *`` (see the sync
        :meth:`~remote_store_obstore.ObstoreBackend.write_conditional`)."""
        if Capability.CONDITIONAL_WRITE not in self.capabilities:
            raise self._refuse(Capability.CONDITIONAL_WRITE, path)
        return await _conditional.write_conditional_async(
            self,
            path,
            content,
            if_match=if_match,
            if_none_match=if_none_match,
            metadata=metadata,
        )

    # -- deletes ----------------------------------------------------------------------

    async def delete(self, path: str, *, missing_ok: bool = False) -> None:
        if await self._head(path) is None:
            if path and await self.is_folder(path):
                raise InvalidPath("not a file", path=path, backend=self.name)
            if missing_ok:
                return
            raise NotFound("file not found", path=path, backend=self.name)
        await _async_ops.bulk_delete(self, [path], path)

    async def delete_many(
        self, keys: Sequence[str], *, missing_ok: bool = False
    ) -> dict[str, BaseException | None]:
        """Delete files: concurrent HEADs (8 at a time), then obstore's bulk delete (S3:
        DeleteObjects by 1000; Azure: blob batches). Returns each key's outcome: ``None``
        or the error (``NotFound``, ``InvalidPath`` for a folder)."""
        return await _async_ops.delete_many(self, keys, missing_ok=missing_ok)

    async def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        await _async_ops.delete_folder(self, path, recursive, missing_ok)

    # -- listings ---------------------------------------------------------------------

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> AsyncIterator[FileInfo]:
        return _async_ops.list_files(self, path, recursive, max_depth)

    async def list_folders(self, path: str) -> AsyncIterator[FolderEntry]:
        for entry in await _async_ops.list_children(self, path):
            if isinstance(entry, FolderEntry):
                yield entry

    async def iter_children(self, path: str) -> AsyncIterator[FileInfo | FolderEntry]:
        for entry in await _async_ops.list_children(self, path):
            yield entry

    async def glob(self, pattern: str) -> AsyncIterator[FileInfo]:
        regex = translate_glob(pattern)
        folder, recursive = literal_prefix(pattern)
        if folder and not await self.is_folder(folder):
            return
        async for info in self.list_files(folder, recursive=recursive):
            if regex.match(str(info.path)):
                yield info

    async def get_folder_info(self, path: str) -> FolderInfo:
        totals = Totals()
        async for meta in _async_ops.metas(self, path):
            totals.add((file_info(meta),))
        if totals.count == 0 and path:
            if await self.is_file(path):
                raise InvalidPath("not a folder", path=path, backend=self.name)
            raise NotFound("folder not found", path=path, backend=self.name)
        return totals.info(path)

    # -- copy and move ----------------------------------------------------------------

    async def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        import obstore

        if await self._head(src) is None:
            await self._missing(src, "source")
        native = not overwrite and self._flavour.native_copy_if_not_exists
        if not overwrite and not native and await self._head(dst) is not None:
            raise AlreadyExists("destination exists", path=dst, backend=self.name)
        try:
            await obstore.copy_async(self.store, src, dst, overwrite=not native)
        except Exception as exc:
            self._fail(exc, dst)

    async def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        await self.copy(src, dst, overwrite=overwrite)
        await _async_ops.bulk_delete(self, [src], src)

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

    async def check_health(self) -> None:
        await _async_ops.first_key(self, "")

    async def aclose(self) -> None:
        """Nothing to release: obstore's connection pool goes with the store."""

    def unwrap(self, type_hint: type[T]) -> T:
        if isinstance(self.store, type_hint):
            return self.store
        return super().unwrap(type_hint)
