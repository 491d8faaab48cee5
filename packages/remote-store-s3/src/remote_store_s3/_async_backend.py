"""AsyncS3Backend: S3 for async code, on the caller's event loop (no thread hop).

s3fs is made with ``asynchronous=True``: ``await fs.set_session()`` builds its
aiobotocore client on the running loop, and every request is a coroutine awaited right
there, as the sync :class:`~remote_store_s3.S3Backend` awaits them on s3fs's loop thread.
Both share the options, request arguments, error classification, response conversion
and the per-page logic (:mod:`._common`, :mod:`._errors`, :mod:`._responses`,
:mod:`._ops`, :mod:`._listing`, :mod:`._deletes`, :mod:`._writes`); reads and writes
stream in :mod:`._async_io`, listings and deletes of many keys in :mod:`._async_listing`.

One instance serves one event loop at a time: used from another loop (a new
``asyncio.run``), it makes a new client there and drops the old one's connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from remote_store.aio.backend import (
    AsyncBackend,
    AsyncWritableContent,
    Capability,
    CapabilitySet,
    FileInfo,
    FolderEntry,
    FolderInfo,
    ResolutionPlan,
    RetryPolicy,
    Secret,
    WriteResult,
    acall_with_retry,
    condition_failures,
)
from remote_store.errors import (
    AlreadyExists,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)

from remote_store_s3 import _async_io, _async_listing, _common, _ops
from remote_store_s3._common import S3Options
from remote_store_s3._errors import classify
from remote_store_s3._responses import head_info

__all__ = ["AsyncS3Backend"]

T = TypeVar("T")
Operation = Callable[[Any], Awaitable[T]]


class AsyncS3Backend(S3Options, AsyncBackend):
    """Files in one S3 bucket, for async code; the same options, requests and
    capabilities as :class:`~remote_store_s3.S3Backend` (see there)."""

    CAPABILITIES = CapabilitySet(set(Capability) - {Capability.ATOMIC_MOVE})

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        key: str | Secret | None = None,
        secret: str | Secret | None = None,
        region_name: str | None = None,
        tls_ca_bundle: str | None = None,
        client_options: Mapping[str, Any] | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        reject_write_under_file_ancestor: bool = False,
        access_key: str | Secret | None = None,
        secret_key: str | Secret | None = None,
    ) -> None:
        self._configure(
            bucket,
            endpoint_url=endpoint_url,
            key=key,
            secret=secret,
            region_name=region_name,
            tls_ca_bundle=tls_ca_bundle,
            client_options=client_options,
            retry=retry,
            reject_write_under_file_ancestor=reject_write_under_file_ancestor,
            access_key=access_key,
            secret_key=secret_key,
        )
        self._fs: Any = None
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def name(self) -> str:
        return "s3"

    # -- the client and the runner ----------------------------------------------------

    async def _connect(self) -> Any:
        """This loop's client: made on first use, remade when the loop changed."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None:
                self._forget()
            if self._fs is None:  # else made by ``unwrap`` and not connected yet
                self._fs = self._new_filesystem(asynchronous=True)
            self._loop = loop
        fs = self._fs
        client = await fs.set_session()  # s3fs serialises concurrent first calls
        if self._fs is fs and self._client is not client:
            from remote_store_s3 import _list_parser

            _list_parser.install(client)
            self._client = client
        return client

    def _forget(self) -> None:
        """Drop a client made on another loop (its sockets closed, best effort)."""
        fs, self._fs, self._client, self._loop = self._fs, None, None, None
        creator = getattr(fs, "_s3creator", None)
        if creator is not None:
            import s3fs

            try:
                s3fs.S3FileSystem.close_session(None, creator)
            except Exception:  # pragma: no cover - best effort on a dead loop
                pass

    async def _run(
        self,
        path: str | None,
        operation: Operation[T],
        *,
        idempotent: bool = True,
        policy: RetryPolicy | None = None,
    ) -> T:
        """One request (``operation(client)``), classified and retried when idempotent."""

        async def attempt() -> T:
            client = self._client
            if client is None or self._loop is not asyncio.get_running_loop():
                client = await self._connect()
            try:
                return await operation(client)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise classify(exc, path, self.name) from exc

        if not idempotent:
            return await attempt()
        return await acall_with_retry(
            policy or self.retry_policy,
            attempt,
            retry_after=lambda exc: getattr(exc, "retry_after", None),
            backend=self.name,
            name=getattr(operation, "__name__", "request").lstrip("_"),
            path=path,
        )

    # -- queries ----------------------------------------------------------------------

    async def _head(self, key: str) -> dict[str, Any] | None:
        """HeadObject (with checksums), ``None`` when the key is not an object."""
        try:
            head: dict[str, Any] = await self._run(
                key, _ops.call("head_object", **self._args(key, ChecksumMode="ENABLED"))
            )
        except NotFound:
            return None
        return head

    async def is_file(self, path: str) -> bool:
        return path != "" and await self._head(path) is not None

    async def is_folder(self, path: str) -> bool:
        if path == "":
            return True
        args = {"Bucket": self._bucket, "Prefix": path + "/", "MaxKeys": 1}
        page = await self._run(path, _ops.call("list_objects_v2", **args))
        return bool(page.get("KeyCount") or page.get("Contents"))

    async def exists(self, path: str) -> bool:
        """A HEAD, then only when it says missing one LIST (as the sync backend)."""
        if path == "":
            return True
        try:
            await self._run(path, _ops.call("head_object", **self._args(path)))
        except NotFound:
            return await self.is_folder(path)
        return True

    async def get_file_info(self, path: str) -> FileInfo:
        head = await self._head(path)
        if head is None:
            if path and await self.is_folder(path):
                raise InvalidPath("not a file", path=path, backend=self.name)
            raise NotFound("file not found", path=path, backend=self.name)
        return head_info(path, head)

    # -- reads (:mod:`._async_io`) ----------------------------------------------------

    def read(self, path: str) -> AsyncIterator[bytes]:
        """One GET when iterated; the body streams (resumed with Range on a cut)."""
        return _async_io.read_from(self, path, 0)

    def read_from(self, path: str, offset: int) -> AsyncIterator[bytes]:
        """A GET with ``Range: bytes=offset-`` (nothing at or past the end)."""
        return _async_io.read_from(self, path, offset)

    async def read_bytes(self, path: str) -> bytes:
        data: bytes = await self._run(path, _ops.get_all(self._args(path)))
        return data

    # -- writes (:mod:`._async_io`) ---------------------------------------------------

    async def write(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
        if_match: str | None = None,
    ) -> WriteResult:
        """One PUT (``If-None-Match: *`` unless ``overwrite``); streams over one part go
        multipart (one part uploads while the next fills). ``if_match`` (an ETag)
        replaces the object only if it is still that version."""
        return await _async_io.write(
            self, path, content, overwrite=overwrite, metadata=metadata, if_match=if_match
        )

    async def write_conditional(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """The PUT (or multipart completion) carries ``If-Match`` or ``If-None-Match: *``."""
        with condition_failures(self, path):
            if if_none_match is not None:
                return await self.write(path, content, overwrite=False, metadata=metadata)
            return await self.write(
                path, content, overwrite=True, metadata=metadata, if_match=if_match
            )

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

    # -- deletes (many: :mod:`._async_listing`) ---------------------------------------

    async def delete(self, path: str, *, missing_ok: bool = False) -> None:
        if await self._head(path) is None:
            if await self.is_folder(path):
                raise InvalidPath("not a file", path=path, backend=self.name)
            if missing_ok:
                return
            raise NotFound("file not found", path=path, backend=self.name)
        await self._run(path, _ops.call("delete_object", **self._args(path)))

    async def delete_many(
        self, paths: Sequence[str], *, missing_ok: bool = False
    ) -> Mapping[str, BaseException | None]:
        """Delete up to 1000 files: listings or concurrent HEADs, then one DeleteObjects."""
        return await _async_listing.delete_many(self, paths, missing_ok=missing_ok)

    async def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        await _async_listing.delete_folder(self, path, recursive=recursive, missing_ok=missing_ok)

    # -- listings (:mod:`._async_listing`) --------------------------------------------

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> AsyncIterator[FileInfo]:
        """One flat paginated listing (recursive) or one delimited listing (one level)."""
        return _async_listing.list_files(self, path, recursive=recursive, max_depth=max_depth)

    def list_folders(self, path: str) -> AsyncIterator[FolderEntry]:
        return _async_listing.list_folders(self, path)

    def iter_children(self, path: str) -> AsyncIterator[FileInfo | FolderEntry]:
        """One delimited listing, files and folders merged in key order."""
        return _async_listing.iter_children(self, path)

    async def get_folder_info(self, path: str) -> FolderInfo:
        """One flat paginated listing, aggregated as it streams."""
        return await _async_listing.folder_info(self, path)

    # -- copy and move ----------------------------------------------------------------

    async def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Server-side CopyObject (metadata kept); objects over 5 GiB are copied in parts."""
        head = await self._head(src)
        if head is None:
            if await self.is_folder(src):
                raise InvalidPath("source is a folder", path=src, backend=self.name)
            raise NotFound("source not found", path=src, backend=self.name)
        if not overwrite and await self._head(dst) is not None:
            raise AlreadyExists("destination exists", path=dst, backend=self.name)
        size = int(head.get("ContentLength", 0))
        if size > _common.COPY_OBJECT_LIMIT:
            await _async_io.copy_in_parts(self, src, dst, size, head.get("Metadata"))
            return
        source = {"Bucket": self._bucket, "Key": src}
        await self._run(dst, _ops.call("copy_object", **self._args(dst, CopySource=source)))

    async def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy, then delete the source (S3 has no rename)."""
        await self.copy(src, dst, overwrite=overwrite)
        await self._run(src, _ops.call("delete_object", **self._args(src)))

    # -- naming, health, lifecycle ----------------------------------------------------

    def resolve(self, path: str) -> ResolutionPlan:
        return self._resolution(super().resolve(path), path)

    async def check_health(self) -> None:
        await self._run(None, _ops.call("head_bucket", Bucket=self._bucket))

    async def aclose(self) -> None:
        """Close the aiobotocore client and its connection pool; a later call reconnects."""
        client, loop = self._client, self._loop
        if client is not None and loop is asyncio.get_running_loop():
            self._fs = self._client = self._loop = None
            try:
                await client.close()
            except Exception:  # pragma: no cover - closing is best effort
                pass
        else:
            self._forget()

    def unwrap(self, type_hint: type[T]) -> T:
        """``s3fs.S3FileSystem`` made with ``asynchronous=True`` (bypasses the store root);
        use its ``_``-prefixed coroutines on the loop this backend runs on."""
        import s3fs

        if type_hint is s3fs.S3FileSystem or type_hint.__name__ in (
            "AbstractFileSystem",
            "AsyncFileSystem",
        ):
            if self._fs is None:
                self._fs = self._new_filesystem(asynchronous=True)
            return self._fs  # type: ignore[no-any-return]
        return super().unwrap(type_hint)
