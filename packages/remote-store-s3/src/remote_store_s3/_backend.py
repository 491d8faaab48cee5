"""S3Backend: Amazon S3 and S3-compatible services through s3fs's aiobotocore client.

s3fs gives the configured client and its event loop thread; the hot paths call the
client directly, so a small write is one PUT, a read one GET, and nothing is retried
twice. Every request runs through :meth:`S3Backend._run`: classified errors
(:mod:`remote_store_s3._errors`) and the backend's :class:`RetryPolicy` for idempotent ones.

The class holds the runner, queries, reads and copies; the rest lives beside it:
options and the connection in :mod:`._client`, writes in :mod:`._writes`, listings in
:mod:`._listing`, batch and folder deletes in :mod:`._deletes`, the read stream in
:mod:`._reader`, response conversion in :mod:`._responses`, coroutines in :mod:`._ops`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from remote_store.backend import (
    Backend,
    Capability,
    CapabilitySet,
    FileInfo,
    FolderEntry,
    FolderInfo,
    RetryPolicy,
    Secret,
    WritableContent,
    WriteResult,
    call_with_retry,
    condition_failures,
    glob_by_listing,
)
from remote_store.errors import (
    AlreadyExists,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)

from remote_store_s3 import _client, _common, _deletes, _listing, _ops, _writes
from remote_store_s3._common import S3Options
from remote_store_s3._errors import classify
from remote_store_s3._reader import ObjectReader
from remote_store_s3._responses import head_info

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["S3Backend"]

T = TypeVar("T")


class S3Backend(S3Options, Backend):
    """Files in one S3 bucket; keys are ``/``-separated and folders exist while they hold keys.

    Options are remote-store 0.27's: ``bucket``, ``endpoint_url``, ``key``, ``secret``
    (``str`` or :class:`Secret`), ``region_name``, ``tls_ca_bundle``, ``client_options``
    (extra ``S3FileSystem`` arguments; ``config_kwargs`` go to botocore's ``Config``),
    ``retry`` (a :class:`RetryPolicy`: attempts, backoff and per-request timeout) and
    ``reject_write_under_file_ancestor``.
    """

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
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "s3"

    # -- the client and the runner ----------------------------------------------------

    def _connect(self) -> Any:
        with self._lock:
            if self._client is None:
                self._fs = self._new_filesystem()
                client = self._sync(self._fs.set_session())
                # imported here: it needs botocore.utils (~100 ms), loaded by now anyway
                from remote_store_s3 import _list_parser

                _list_parser.install(client)
                _writes.install(client)
                self._client = client
            return self._client

    def _sync(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on s3fs's event loop thread and wait for it."""
        return self._submit(coroutine).result()

    def _submit(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        return _client.submit(self._fs, coroutine)

    def _run(
        self,
        path: str | None,
        operation: Callable[[Any], Coroutine[Any, Any, T]],
        *,
        idempotent: bool = True,
        policy: RetryPolicy | None = None,
    ) -> T:
        """One request (``operation(client)``), classified and retried when idempotent."""

        def attempt() -> T:
            try:
                return self._sync(operation(self._client or self._connect()))
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise classify(exc, path, self.name) from exc

        if not idempotent:
            return attempt()
        return call_with_retry(
            policy or self.retry_policy,
            attempt,
            retry_after=lambda exc: getattr(exc, "retry_after", None),
            backend=self.name,
            name=_operation_name(operation),
            path=path,
        )

    # -- queries ----------------------------------------------------------------------

    def _head(self, key: str) -> dict[str, Any] | None:
        """HeadObject (with checksums), ``None`` when the key is not an object."""
        try:
            head: dict[str, Any] = self._run(
                key, _ops.call("head_object", **self._args(key, ChecksumMode="ENABLED"))
            )
        except NotFound:
            return None
        return head

    def is_file(self, path: str) -> bool:
        return path != "" and self._head(path) is not None

    def is_folder(self, path: str) -> bool:
        if path == "":
            return True
        page = self._run(
            path, _ops.call("list_objects_v2", Bucket=self._bucket, Prefix=path + "/", MaxKeys=1)
        )
        return bool(page.get("KeyCount") or page.get("Contents"))

    def exists(self, path: str) -> bool:
        """A HEAD, then only when it says missing one LIST for a folder below ``path``:
        one request for a file, two for a folder or a missing key (docs/backends/s3.md).
        On S3 a HEAD costs a twelfth of a LIST and answers faster."""
        if path == "":
            return True
        try:
            self._run(path, _ops.call("head_object", **self._args(path)))
        except NotFound:
            return self.is_folder(path)
        return True

    def get_file_info(self, path: str) -> FileInfo:
        head = self._head(path)
        if head is None:
            if path and self.is_folder(path):
                raise InvalidPath("not a file", path=path, backend=self.name)
            raise NotFound("file not found", path=path, backend=self.name)
        return head_info(path, head)

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        """One GET; the body streams as it is read (resumed with Range on a cut)."""
        response = self._run(path, _ops.call("get_object", **self._args(path)))
        return ObjectReader(  # type: ignore[return-value]
            self,
            path,
            size=int(response["ContentLength"]),
            etag=response.get("ETag"),
            body=response["Body"],
        )

    def read_bytes(self, path: str) -> bytes:
        data: bytes = self._run(path, _ops.get_all(self._args(path)))
        return data

    def read_seekable(self, path: str) -> BinaryIO:
        """A HEAD, then ranged GETs only for the bytes actually read."""
        head = self._head(path)
        if head is None:
            raise NotFound("file not found", path=path, backend=self.name)
        size, etag = int(head["ContentLength"]), head.get("ETag")
        return ObjectReader(self, path, size=size, etag=etag)  # type: ignore[return-value]

    # -- writes (:mod:`._writes`) -----------------------------------------------------

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
        if_match: str | None = None,
    ) -> WriteResult:
        """One PUT (``If-None-Match: *`` unless ``overwrite``); streams over one part go multipart.

        ``if_match`` (an ETag) replaces the object only if it is still that version,
        else :class:`PreconditionFailed`.
        """
        return _writes.write(
            self, path, content, overwrite=overwrite, metadata=metadata, if_match=if_match
        )

    def write_conditional(
        self,
        path: str,
        content: WritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """The PUT (or multipart completion) carries ``If-Match`` or ``If-None-Match: *``."""
        with condition_failures(self, path):
            if if_none_match is not None:
                return self.write(path, content, overwrite=False, metadata=metadata)
            return self.write(path, content, overwrite=True, metadata=metadata, if_match=if_match)

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

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AbstractContextManager[BinaryIO]:
        """A multipart upload: parts go out as they fill, the commit happens on a clean exit."""
        return _writes.open_atomic(self, path, overwrite=overwrite, metadata=metadata)

    # -- deletes (many: :mod:`._deletes`) ---------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        if self._head(path) is None:
            if self.is_folder(path):
                raise InvalidPath("not a file", path=path, backend=self.name)
            if missing_ok:
                return
            raise NotFound("file not found", path=path, backend=self.name)
        self._run(path, _ops.call("delete_object", **self._args(path)))

    def delete_many(
        self, keys: Sequence[str], *, missing_ok: bool = False
    ) -> dict[str, BaseException | None]:
        """Delete up to 1000 files: concurrent HEADs, then one DeleteObjects request."""
        return _deletes.delete_many(self, keys, missing_ok=missing_ok)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        _deletes.delete_folder(self, path, recursive=recursive, missing_ok=missing_ok)

    # -- listings (:mod:`._listing`) --------------------------------------------------

    def _pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        return _listing.pages(self, path, **params)

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        """One flat paginated listing (recursive) or one delimited listing (one level)."""
        return _listing.list_files(self, path, recursive=recursive, max_depth=max_depth)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        return _listing.list_folders(self, path)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        """One delimited listing, files and folders merged in key order."""
        return _listing.iter_children(self, path)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return glob_by_listing(self, pattern)

    def get_folder_info(self, path: str) -> FolderInfo:
        """One flat paginated listing, aggregated as it streams."""
        return _listing.folder_info(self, path)

    # -- copy and move ----------------------------------------------------------------

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Server-side CopyObject (metadata kept); objects over 5 GiB are copied in parts."""
        head = self._head(src)
        if head is None:
            if self.is_folder(src):
                raise InvalidPath("source is a folder", path=src, backend=self.name)
            raise NotFound("source not found", path=src, backend=self.name)
        if not overwrite and self._head(dst) is not None:
            raise AlreadyExists("destination exists", path=dst, backend=self.name)
        size = int(head.get("ContentLength", 0))
        if size > _common.COPY_OBJECT_LIMIT:
            _writes.copy_in_parts(self, src, dst, size, head.get("Metadata"))
            return
        source = {"Bucket": self._bucket, "Key": src}
        self._run(dst, _ops.call("copy_object", **self._args(dst, CopySource=source)))

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy, then delete the source (S3 has no rename)."""
        self.copy(src, dst, overwrite=overwrite)
        self._run(src, _ops.call("delete_object", **self._args(src)))

    # -- naming, health, lifecycle ----------------------------------------------------

    def resolve(self, path: str) -> Any:
        return self._resolution(super().resolve(path), path)

    def check_health(self) -> None:
        self._run(None, _ops.call("head_bucket", Bucket=self._bucket))

    def close(self) -> None:
        """Close the aiobotocore client and its connection pool; a later call reconnects."""
        with self._lock:
            client, self._client, fs, self._fs = self._client, None, self._fs, None
        if client is not None and fs is not None:
            _client.close(client, fs)

    def unwrap(self, type_hint: type[T]) -> T:
        """``s3fs.S3FileSystem`` (bypasses the store root)."""
        import s3fs

        if type_hint is s3fs.S3FileSystem or type_hint.__name__ == "AbstractFileSystem":
            self._client or self._connect()
            return self._fs  # type: ignore[no-any-return]
        return super().unwrap(type_hint)


def _operation_name(operation: Callable[..., Any]) -> str:
    """The backend method a request closure was made in (``_head`` -> ``head``)."""
    qualname = getattr(operation, "__qualname__", "")
    method = qualname.split(".<locals>")[0].rsplit(".", 1)[-1]
    return method.lstrip("_") or "request"
