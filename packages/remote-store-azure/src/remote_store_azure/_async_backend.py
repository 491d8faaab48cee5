"""AsyncAzureBackend: the one implementation of the Azure storage logic.

Every data operation uses the Blob API, which flat and hierarchical (HNS) accounts both
serve; the sync :class:`~remote_store_azure.AzureBackend` runs this class on a private
event loop. With ``hns=True`` (or ``"auto"`` and an HNS account) a few operations use the
DataLake API (:mod:`remote_store_azure._hns`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, TypeVar

from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError
from remote_store.aio import AsyncBackend, AsyncWritableContent
from remote_store.backend import (
    Capability,
    CapabilitySet,
    FileInfo,
    FolderEntry,
    FolderSemantics,
    ResolutionPlan,
    RetryPolicy,
    Secret,
    WriteResult,
    condition_failures,
    literal_prefix,
    translate_glob,
)
from remote_store.errors import (
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)

from remote_store_azure._bulk import delete_below
from remote_store_azure._clients import AzureSettings, Clients, HnsMode
from remote_store_azure._copy import delete_if_unchanged, server_copy
from remote_store_azure._download import first_range, read_range, rest_of
from remote_store_azure._errors import classify, conflict
from remote_store_azure._hns import is_folder_marker
from remote_store_azure._listing import file_info, flat, level, prefix_of
from remote_store_azure._upload import check_ancestors, upload

__all__ = ["AsyncAzureBackend"]

T = TypeVar("T")
_FLAT_CAPS = CapabilitySet(
    {
        Capability.READ,
        Capability.WRITE,
        Capability.DELETE,
        Capability.LIST,
        Capability.GLOB,
        Capability.MOVE,
        Capability.COPY,
        Capability.CONDITIONAL_WRITE,
        Capability.ATOMIC_WRITE,
        Capability.METADATA,
        Capability.USER_METADATA,
        Capability.LAZY_READ,
        Capability.WRITE_RESULT_NATIVE,
        Capability.EXCLUSIVE_CREATE,
    }
)


class AsyncAzureBackend(AsyncBackend):
    """Azure Blob Storage (and ADLS Gen2 with ``hns``) for async code.

    Options as remote-store 0.27's ``AzureBackend``: ``container`` (required),
    ``account_name``, ``account_url``, ``account_key``, ``sas_token``,
    ``connection_string``, ``credential``, ``client_options`` (SDK client keywords; they
    win over the presets), ``retry``, ``max_concurrency`` (parallel block uploads, default
    1), ``reject_write_under_file_ancestor``; plus ``hns`` (``False`` by default, ``True``,
    or ``"auto"`` to ask the account once).
    """

    CAPABILITIES = CapabilitySet({*_FLAT_CAPS, Capability.ATOMIC_MOVE})

    def __init__(
        self,
        container: str,
        *,
        account_name: str | None = None,
        account_url: str | None = None,
        account_key: str | Secret | None = None,
        sas_token: str | Secret | None = None,
        connection_string: str | Secret | None = None,
        credential: Any = None,
        client_options: Mapping[str, Any] | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        max_concurrency: int = 1,
        reject_write_under_file_ancestor: bool = False,
        hns: HnsMode = False,
    ) -> None:
        self._settings = AzureSettings.create(
            container,
            account_name=account_name,
            account_url=account_url,
            account_key=account_key,
            sas_token=sas_token,
            connection_string=connection_string,
            credential=credential,
            client_options=client_options,
            retry=retry,
            max_concurrency=max_concurrency,
            reject_write_under_file_ancestor=reject_write_under_file_ancestor,
            hns=hns,
        )
        self._hns: bool | None = None if hns == "auto" else bool(hns)
        self._clients = Clients(self._settings)
        sizes = self._settings.client_kwargs()
        self._block_size = int(sizes["max_block_size"])
        self._range_size = int(sizes["max_chunk_get_size"])

    @property
    def name(self) -> str:
        return "azure"

    @property
    def location(self) -> str:
        """``azure account '<endpoint>' container '<container>'`` (no credential)."""
        return f"azure {self._settings.location()}"

    @property
    def folder_semantics(self) -> FolderSemantics:
        """Flat blob names; real directories with ``hns=True`` (with ``"auto"`` the account
        kind is unknown before the first call, so flat is declared); a write below a file is
        refused on HNS or with ``reject_write_under_file_ancestor``."""
        return FolderSemantics(
            keeps_empty_folders=self._settings.hns is True,
            rejects_file_ancestors=self._settings.hns is True
            or self._settings.reject_write_under_file_ancestor,
        )

    @property
    def capabilities(self) -> CapabilitySet:
        return self.CAPABILITIES if self._hns else _FLAT_CAPS

    @property
    def settings(self) -> AzureSettings:
        """The validated options (secrets stay wrapped)."""
        return self._settings

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._settings!r})"

    # -- clients ----------------------------------------------------------------------

    def _containers(self) -> Any:
        return self._clients.container_client()

    def _blob(self, key: str) -> Any:
        return self._containers().get_blob_client(key)

    async def _is_hns(self) -> bool:
        if self._hns is None:
            self._hns = await self._clients.detect_hns()
        return self._hns

    # -- errors -----------------------------------------------------------------------

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        """Classify by Azure error code and HTTP status (never message text)."""
        return classify(exc, path, self.name)

    @contextlib.contextmanager
    def _errors(self, path: str) -> Iterator[None]:
        """Raise SDK errors as typed errors (by code and status) for ``path``."""
        try:
            yield
        except AzureError as exc:
            raise self.map_error(exc, path) from exc

    # -- reads ------------------------------------------------------------------------

    async def read(self, path: str) -> AsyncIterator[bytes]:
        """The blob's content in chunks, fetched as they are consumed."""
        with self._errors(path):
            blob = self._blob(path)
            first = await first_range(blob)
            if is_folder_marker(first.properties.metadata):
                raise InvalidPath("not a file", path=path, backend=self.name)
            async with contextlib.aclosing(rest_of(blob, first, self._range_size)) as parts:
                async for data in parts:
                    yield data

    async def read_range(self, path: str, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` (one ranged GET); empty at or past the end."""
        with self._errors(path):
            return await read_range(self._blob(path), offset, length)

    async def get_file_info(self, path: str) -> FileInfo:
        with self._errors(path):
            props = await self._blob(path).get_blob_properties()
            if is_folder_marker(props.metadata):
                raise InvalidPath("not a file", path=path, backend=self.name)
            return file_info(path, props)

    async def is_folder(self, path: str) -> bool:
        with self._errors(path):
            if path == "":
                return True
            if await self._is_hns():
                try:
                    props = await self._blob(path).get_blob_properties()
                    return is_folder_marker(props.metadata)
                except ResourceNotFoundError:
                    return False
            blobs = self._containers().list_blobs(
                name_starts_with=prefix_of(path), results_per_page=1
            )
            async for _ in blobs:
                return True  # a blob below: the prefix is a folder
            return False

    # -- writes -----------------------------------------------------------------------

    async def write(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
        etag: str | None = None,
    ) -> WriteResult:
        """Create (``If-None-Match: *``) or replace the blob; with ``etag`` replace it
        only while it still has that etag (else :class:`PreconditionFailed`)."""
        with self._errors(path):
            if self._settings.reject_write_under_file_ancestor:
                await check_ancestors(self, path)
            try:
                outcome = await upload(
                    self._blob(path),
                    content,
                    overwrite=overwrite,
                    metadata=metadata,
                    block_size=self._block_size,
                    concurrency=self._settings.max_concurrency,
                    etag=etag,
                )
            except HttpResponseError as exc:
                if etag is None and not overwrite:
                    raise conflict(exc, path, self.name, bool(self._hns)) from None
                raise
            return outcome.write_result(path, metadata)

    async def write_if_match(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        etag: str,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Replace the blob only while its etag is still ``etag`` (``If-Match``); else
        :class:`PreconditionFailed` (or :class:`NotFound` when it is gone)."""
        return await self.write(path, content, overwrite=True, metadata=metadata, etag=etag)

    async def write_conditional(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """The upload carries ``If-Match: etag`` or ``If-None-Match: *``."""
        with condition_failures(self, path):
            if if_none_match is not None:
                return await self.write(path, content, overwrite=False, metadata=metadata)
            return await self.write(path, content, overwrite=True, metadata=metadata, etag=if_match)

    async def write_atomic(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Same as :meth:`write`: a Put Blob or Put Block List is atomic on the service."""
        return await self.write(path, content, overwrite=overwrite, metadata=metadata)

    # -- delete -----------------------------------------------------------------------

    async def delete(self, path: str, *, missing_ok: bool = False) -> None:
        with self._errors(path):
            if await self._is_hns() and await self.is_folder(path):
                raise InvalidPath("not a file", path=path, backend=self.name)
            try:
                await self._blob(path).delete_blob()
            except ResourceNotFoundError:
                if await self.is_folder(path):
                    raise InvalidPath("not a file", path=path, backend=self.name) from None
                if not missing_ok:
                    raise NotFound("file not found", path=path, backend=self.name) from None

    async def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        with self._errors(path):
            if not await self.is_folder(path):
                if path and await self.is_file(path):
                    raise InvalidPath("not a folder", path=path, backend=self.name)
                if not missing_ok:
                    raise NotFound("folder not found", path=path, backend=self.name)
                return
            has_children = False
            async for _ in self.iter_children(path):
                has_children = True
                break
            if has_children and not recursive:
                raise DirectoryNotEmpty("folder is not empty", path=path, backend=self.name)
            if path and await self._is_hns():
                await self._clients.hns_ops().delete_directory(path)
                return
            await delete_below(self._containers(), prefix_of(path))

    # -- listings ---------------------------------------------------------------------

    async def iter_children(self, path: str) -> AsyncIterator[FileInfo | FolderEntry]:
        with self._errors(path):
            async for entry in level(self._containers(), path):
                yield entry

    async def list_folders(self, path: str) -> AsyncIterator[FolderEntry]:
        with self._errors(path):
            async for entry in level(self._containers(), path):
                if isinstance(entry, FolderEntry):
                    yield entry

    async def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> AsyncIterator[FileInfo]:
        with self._errors(path):
            if not recursive and max_depth is None:
                async for entry in level(self._containers(), path):
                    if isinstance(entry, FileInfo):
                        yield entry
                return
            async for info in flat(self._containers(), path, max_depth):
                yield info  # one flat paginated listing, in key order

    async def glob(self, pattern: str) -> AsyncIterator[FileInfo]:
        with self._errors(pattern):
            regex = translate_glob(pattern)
            folder, recursive = literal_prefix(pattern)
            async for info in self.list_files(folder, recursive=recursive):
                if regex.match(str(info.path)):
                    yield info

    # -- copy and move ----------------------------------------------------------------

    async def _source(self, src: str) -> FileInfo:
        try:
            return await self.get_file_info(src)
        except NotFound:
            if await self.is_folder(src):
                raise InvalidPath("not a file", path=src, backend=self.name) from None
            raise NotFound("file not found", path=src, backend=self.name) from None

    async def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Server-side copy of exactly the version read (source etag condition)."""
        with self._errors(src):
            await self._server_copy(await self._source(src), dst, overwrite)

    async def _server_copy(self, source: FileInfo, dst: str, overwrite: bool) -> None:
        target, source_url = self._blob(dst), self._blob(str(source.path)).url
        hns = bool(self._hns)
        await server_copy(
            target,
            source_url,
            source.etag,
            overwrite=overwrite,
            path=dst,
            backend=self.name,
            hns=hns,
        )

    async def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """HNS: one atomic rename. Flat: a server-side copy, then a delete of the source
        only after the copy has completed, and only while the source still is the version
        copied (a source changed meanwhile is kept; :class:`PreconditionFailed`)."""
        with self._errors(src):
            source = await self._source(src)
            if await self._is_hns():
                try:
                    await self._clients.hns_ops().rename(src, dst, overwrite=overwrite)
                except HttpResponseError as exc:
                    if not overwrite:
                        raise conflict(exc, dst, self.name, bool(self._hns)) from None
                    raise
                return
            await self._server_copy(source, dst, overwrite)
            await delete_if_unchanged(self._blob(src), source.etag, src, self.name)

    # -- naming, health, lifecycle ----------------------------------------------------

    def native_path(self, path: str) -> str:
        return f"{self._settings.container}/{path}" if path else self._settings.container

    def to_key(self, native_path: str) -> str:
        container = self._settings.container
        if native_path == container:
            return ""
        return native_path.removeprefix(container + "/")

    def resolve(self, path: str) -> ResolutionPlan:
        details = {"container": self._settings.container, "hns": self._hns}
        return ResolutionPlan("azure-blob", self.name, path, self.native_path(path), details)

    async def check_health(self) -> None:
        try:
            await self._containers().get_container_properties()
        except AzureError as exc:
            raise self.map_error(exc, "") from exc

    def unwrap(self, type_hint: type[T]) -> T:
        """The async ``ContainerClient`` (or ``BlobServiceClient``) of this backend."""
        container = self._containers()
        for handle in (container, self._clients.service):
            if isinstance(handle, type_hint):
                return handle
        return super().unwrap(type_hint)

    async def aclose(self) -> None:
        await self._clients.close()
