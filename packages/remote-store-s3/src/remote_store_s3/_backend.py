"""S3Backend: Amazon S3 and S3-compatible services through s3fs's aiobotocore client.

s3fs gives the configured client and its event loop thread; the hot paths call the
client directly, so a small write is one PUT, a read one GET, and nothing is retried
twice. Every request runs through :meth:`S3Backend._run`: classified errors
(:mod:`remote_store_s3._errors`) and the backend's :class:`RetryPolicy` for idempotent ones.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit, urlunsplit

from remote_store._backend import Backend
from remote_store._capabilities import Capability, CapabilitySet
from remote_store._glob import glob_by_listing
from remote_store._models import ContentDigest, FileInfo, FolderEntry, FolderInfo, WriteResult
from remote_store._path import RemotePath
from remote_store._retry import RetryPolicy, call_with_retry
from remote_store._secret import Secret, reveal
from remote_store._streams import CHUNK_SIZE, WritableContent, iter_content
from remote_store.errors import (
    AlreadyExists,
    ConfigError,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PreconditionFailed,
    RemoteStoreError,
)

from remote_store_s3 import _ops
from remote_store_s3._errors import classify
from remote_store_s3._streams import PART_SIZE, AtomicUpload, MultipartSink, ObjectReader

__all__ = ["S3Backend"]

T = TypeVar("T")
_CHECKSUMS = (
    "ChecksumSHA256",
    "ChecksumSHA1",
    "ChecksumCRC32C",
    "ChecksumCRC32",
    "ChecksumCRC64NVME",
)


class S3Backend(Backend):
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
        if not isinstance(bucket, str) or not bucket.strip():
            raise ConfigError("bucket must be a non-empty string")
        # the feature page's names (access_key/secret_key) beside 0.27's (key/secret)
        if access_key is not None and key is not None:
            raise ConfigError("give the access key once: key or access_key, not both")
        if secret_key is not None and secret is not None:
            raise ConfigError("give the secret key once: secret or secret_key, not both")
        key = key if key is not None else access_key
        secret = secret if secret is not None else secret_key
        options = dict(client_options or {})
        if "config" in options.get("client_kwargs", {}):
            raise ConfigError("pass botocore settings as client_options['config_kwargs']")
        self._bucket = bucket
        self._endpoint_url = endpoint_url
        self._key = Secret(key) if key is not None else None
        self._secret = Secret(secret) if secret is not None else None
        self._region_name = region_name
        self._tls_ca_bundle = tls_ca_bundle
        self._client_options = options
        self.retry_policy = (
            RetryPolicy(**retry) if isinstance(retry, Mapping) else retry or RetryPolicy()
        )
        self._reject_under_file = reject_write_under_file_ancestor
        self._fs: Any = None
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "s3"

    def __repr__(self) -> str:
        endpoint = _strip_userinfo(self._endpoint_url)
        return (
            f"S3Backend(bucket={self._bucket!r}, endpoint_url={endpoint!r},"
            f" region_name={self._region_name!r}, key={self._key!r}, secret={self._secret!r})"
        )

    # -- the client and the runner ----------------------------------------------------

    def _connect(self) -> Any:
        with self._lock:
            if self._client is None:
                import s3fs

                fs_options = dict(self._client_options)
                client_kwargs = dict(fs_options.pop("client_kwargs", {}))
                if self._region_name:
                    client_kwargs.setdefault("region_name", self._region_name)
                if self._tls_ca_bundle:
                    client_kwargs.setdefault("verify", self._tls_ca_bundle)
                config = _botocore_config(self.retry_policy, self._endpoint_url)
                config.update(fs_options.pop("config_kwargs", {}))
                fs_options.setdefault("use_listings_cache", False)
                self._fs = s3fs.S3FileSystem(
                    key=reveal(self._key),
                    secret=reveal(self._secret),
                    endpoint_url=self._endpoint_url,
                    client_kwargs=client_kwargs,
                    config_kwargs=config,
                    skip_instance_cache=True,
                    **fs_options,
                )
                self._client = self._sync(self._fs.set_session())
            return self._client

    def _sync(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on s3fs's event loop thread and wait for it."""
        return self._submit(coroutine).result()

    def _submit(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        from fsspec.asyn import get_loop

        loop = self._fs.loop if self._fs is not None else get_loop()
        return asyncio.run_coroutine_threadsafe(coroutine, loop)

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
        )

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        """Classify by S3 error code, HTTP status and exception type."""
        return classify(exc, path, self.name)

    def _args(self, key: str, **extra: Any) -> dict[str, Any]:
        return {"Bucket": self._bucket, "Key": key, **extra}

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
        """One LIST: the key itself sorts first among the keys it prefixes."""
        if path == "":
            return True
        page = self._run(
            path, _ops.call("list_objects_v2", Bucket=self._bucket, Prefix=path, MaxKeys=1)
        )
        first = next((item["Key"] for item in page.get("Contents", ())), None)
        if first is None:
            return False
        if first == path or first.startswith(path + "/"):
            return True
        return self.is_folder(path)  # a sibling such as "path.txt" sorts before "path/"

    def get_file_info(self, path: str) -> FileInfo:
        head = self._head(path)
        if head is None:
            if path and self.is_folder(path):
                raise InvalidPath("not a file", path=path, backend=self.name)
            raise NotFound("file not found", path=path, backend=self.name)
        return FileInfo(
            path=RemotePath._trusted(path),
            name=path.rpartition("/")[2],
            size=int(head.get("ContentLength", 0)),
            modified_at=head.get("LastModified"),
            digest=_digest(head),
            etag=head.get("ETag"),
            content_type=head.get("ContentType"),
            metadata=dict(head.get("Metadata") or {}),
            version_id=head.get("VersionId"),
        )

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

    def _open_body(self, key: str, position: int, etag: str | None) -> Any:
        extra: dict[str, Any] = {}
        if position:
            extra["Range"] = f"bytes={position}-"
        if etag:
            extra["IfMatch"] = etag
        try:
            return self._run(
                key, _ops.call("get_object", **self._args(key, **extra)), idempotent=False
            )["Body"]
        except PreconditionFailed as exc:
            raise PreconditionFailed(
                "object changed while reading", path=key, backend=self.name
            ) from exc

    def _release(self, body: Any) -> None:
        if self._fs is not None:
            self._fs.loop.call_soon_threadsafe(body.close)

    # -- writes -----------------------------------------------------------------------

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
        self._check_ancestors(path)
        if isinstance(content, (bytes, bytearray, memoryview)):
            body = content if isinstance(content, bytes) else bytes(content)
            return self._put(path, body, overwrite, metadata, if_match)
        sink = MultipartSink(self, path, overwrite=overwrite, metadata=metadata, if_match=if_match)
        try:
            for chunk in iter_content(content, CHUNK_SIZE):
                sink.write(chunk)
        except BaseException:
            sink.abort()
            raise
        return sink.commit()

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
        self._check_ancestors(path)
        return AtomicUpload(MultipartSink(self, path, overwrite=overwrite, metadata=metadata))

    def _put(
        self,
        key: str,
        body: bytes | bytearray,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
        if_match: str | None = None,
    ) -> WriteResult:
        args = self._args(key, Body=body, Metadata=dict(metadata or {}))
        if if_match is not None:
            args["IfMatch"] = if_match
        elif not overwrite:
            args["IfNoneMatch"] = "*"
        attempts = [0]

        def put(client: Any) -> Coroutine[Any, Any, dict[str, Any]]:
            attempts[0] += 1
            return client.put_object(**args)  # type: ignore[no-any-return]

        try:
            response = self._run(key, put)
        except PreconditionFailed:
            if if_match is not None:
                raise
            # A retried create may meet its own first attempt: then the stored object is ours.
            head = self._head(key) if attempts[0] > 1 else None
            if head is None or head.get("ETag", "").strip('"') != hashlib.md5(body).hexdigest():
                raise AlreadyExists("file exists", path=key, backend=self.name) from None
            response = head
        return self._result(key, len(body), response, metadata)

    def _create_upload(self, key: str, metadata: Mapping[str, str] | None) -> str:
        args = self._args(key, Metadata=dict(metadata or {}))
        return str(self._run(key, _ops.call("create_multipart_upload", **args))["UploadId"])

    def _upload_part(self, key: str, upload_id: str, number: int, part: bytes | bytearray) -> str:
        args = self._args(key, UploadId=upload_id, PartNumber=number, Body=part)
        return str(self._run(key, _ops.call("upload_part", **args))["ETag"])

    def _complete_upload(
        self,
        key: str,
        upload_id: str,
        parts: list[dict[str, Any]],
        size: int,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
    ) -> WriteResult:
        args = self._args(key, UploadId=upload_id, MultipartUpload={"Parts": parts})
        if not overwrite:
            args["IfNoneMatch"] = "*"
        try:
            response = self._run(key, _ops.call("complete_multipart_upload", **args))
        except PreconditionFailed:
            raise AlreadyExists("file exists", path=key, backend=self.name) from None
        return self._result(key, size, response, metadata)

    def _abort_upload(self, key: str, upload_id: str) -> None:
        try:
            args = self._args(key, UploadId=upload_id)
            self._run(key, _ops.call("abort_multipart_upload", **args))
        except RemoteStoreError:
            pass  # best effort: an orphan upload is invisible and expires by lifecycle rules

    def _result(
        self, key: str, size: int, response: Mapping[str, Any], metadata: Mapping[str, str] | None
    ) -> WriteResult:
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        modified = response.get("LastModified") or _http_date(headers.get("date"))
        return WriteResult(
            path=key,
            size=size,
            source="native",
            digest=_digest(response),
            etag=response.get("ETag"),
            version_id=response.get("VersionId"),
            last_modified=modified,
            metadata=dict(metadata) if metadata else None,
        )

    def _check_ancestors(self, key: str) -> None:
        """``reject_write_under_file_ancestor``: HEAD every ancestor at once (fails open)."""
        if not self._reject_under_file or "/" not in key:
            return
        parts = key.split("/")[:-1]
        ancestors = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        try:
            found = self._run(key, _ops.any_exists(self._bucket, ancestors))
        except RemoteStoreError as exc:
            if exc.retryable:
                return
            raise
        if found is not None:
            raise InvalidPath(f"ancestor {found!r} is a file", path=key, backend=self.name)

    # -- deletes ----------------------------------------------------------------------

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
        probe = self._run(None, _ops.probe_many(self._bucket, list(keys)))
        outcome: dict[str, BaseException | None] = {}
        present = []
        for key, kind in probe.items():
            if kind == "file":
                present.append(key)
            elif kind == "folder":
                outcome[key] = InvalidPath("not a file", path=key, backend=self.name)
            else:
                outcome[key] = (
                    None if missing_ok else NotFound("file not found", path=key, backend=self.name)
                )
        outcome.update(self._delete_keys(present))
        return outcome

    def _delete_keys(self, keys: Sequence[str]) -> dict[str, BaseException | None]:
        if not keys:
            return {}
        args = {
            "Bucket": self._bucket,
            "Delete": {"Objects": [{"Key": k} for k in keys], "Quiet": True},
        }
        response = self._run(None, _ops.call("delete_objects", **args))
        outcome: dict[str, BaseException | None] = dict.fromkeys(keys)
        for error in response.get("Errors", ()):
            fake = _ops.client_error(error)
            outcome[error["Key"]] = classify(fake, error["Key"], self.name)
        return outcome

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        prefix = path + "/" if path else ""
        keys = (
            info["Key"]
            for page in self._pages(path, Prefix=prefix)
            for info in page.get("Contents", ())
        )
        first = next(keys, None)
        if first is None:
            if path and self.is_file(path):
                raise InvalidPath("not a folder", path=path, backend=self.name)
            if not missing_ok:
                raise NotFound("folder not found", path=path, backend=self.name)
            return
        if not recursive and first != prefix:
            raise DirectoryNotEmpty("folder not empty", path=path, backend=self.name)
        batch = [first]
        for key in keys:
            batch.append(key)
            if len(batch) == 1000:
                self._raise_failed(self._delete_keys(batch))
                batch = []
        self._raise_failed(self._delete_keys(batch))

    @staticmethod
    def _raise_failed(outcome: Mapping[str, BaseException | None]) -> None:
        for error in outcome.values():
            if error is not None:
                raise error

    # -- listings ---------------------------------------------------------------------

    def _pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """ListObjectsV2 pages; the next page is fetched while the caller works on this one."""
        args = {"Bucket": self._bucket, **params}
        self._client or self._connect()
        pending: Future[Any] | None = self._submit(self._client.list_objects_v2(**args))
        while pending is not None:
            try:
                page = pending.result()
            except Exception as exc:
                error = classify(exc, path, self.name)
                policy = self.retry_policy
                if not error.retryable or policy.max_attempts < 2:
                    raise error from exc
                retry = dataclasses.replace(policy, max_attempts=policy.max_attempts - 1)
                page = self._run(path, _ops.call("list_objects_v2", **args), policy=retry)
            token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
            args["ContinuationToken"] = token
            pending = self._submit(self._client.list_objects_v2(**args)) if token else None
            yield page

    def _file_info(self, item: Mapping[str, Any]) -> FileInfo:
        key = item["Key"]
        return FileInfo(
            path=RemotePath._trusted(key),
            name=key.rpartition("/")[2],
            size=int(item.get("Size", 0)),
            modified_at=item.get("LastModified"),
            etag=item.get("ETag"),
        )

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        """One flat paginated listing (recursive) or one delimited listing (one level)."""
        prefix = path + "/" if path else ""
        deep = recursive if max_depth is None else max_depth > 0
        params: dict[str, Any] = (
            {"Prefix": prefix} if deep else {"Prefix": prefix, "Delimiter": "/"}
        )
        skip = len(prefix)
        for page in self._pages(path, **params):
            for item in page.get("Contents", ()):
                key = item["Key"]
                if key.endswith("/"):
                    continue  # a folder marker written by another tool
                if max_depth is not None and key.count("/", skip) > max_depth:
                    continue
                yield self._file_info(item)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        prefix = path + "/" if path else ""
        for page in self._pages(path, Prefix=prefix, Delimiter="/"):
            for item in page.get("CommonPrefixes", ()):
                yield _folder(item["Prefix"])

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        """One delimited listing, files and folders merged in key order."""
        prefix = path + "/" if path else ""
        for page in self._pages(path, Prefix=prefix, Delimiter="/"):
            entries: list[tuple[str, FileInfo | FolderEntry]] = [
                (item["Key"], self._file_info(item))
                for item in page.get("Contents", ())
                if not item["Key"].endswith("/")
            ]
            entries += [
                (item["Prefix"], _folder(item["Prefix"])) for item in page.get("CommonPrefixes", ())
            ]
            entries.sort(key=lambda pair: pair[0])
            for _, entry in entries:
                yield entry

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return glob_by_listing(self, pattern)

    def get_folder_info(self, path: str) -> FolderInfo:
        """One flat paginated listing, aggregated as it streams."""
        count = total = 0
        newest: datetime | None = None
        for info in self.list_files(path, recursive=True):
            count += 1
            total += info.size
            if info.modified_at is not None and (newest is None or info.modified_at > newest):
                newest = info.modified_at
        if count == 0 and path:
            if self.is_file(path):
                raise InvalidPath("not a folder", path=path, backend=self.name)
            if not self.is_folder(path):
                raise NotFound("folder not found", path=path, backend=self.name)
        return FolderInfo(RemotePath.from_backend_path(path), count, total, newest)

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
        source = {"Bucket": self._bucket, "Key": src}
        size = int(head.get("ContentLength", 0))
        if size <= 5 * 1024**3:
            self._run(dst, _ops.call("copy_object", **self._args(dst, CopySource=source)))
            return
        upload_id = self._create_upload(dst, head.get("Metadata"))
        parts = []
        try:
            step = max(PART_SIZE * 64, -(-size // 9000))
            for number, start in enumerate(range(0, size, step), 1):
                end = min(size, start + step) - 1
                args = self._args(
                    dst,
                    UploadId=upload_id,
                    PartNumber=number,
                    CopySource=source,
                    CopySourceRange=f"bytes={start}-{end}",
                )
                response = self._run(dst, _ops.call("upload_part_copy", **args))
                parts.append({"PartNumber": number, "ETag": response["CopyPartResult"]["ETag"]})
            self._complete_upload(dst, upload_id, parts, size, True, None)
        except BaseException:
            self._abort_upload(dst, upload_id)
            raise

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy, then delete the source (S3 has no rename)."""
        self.copy(src, dst, overwrite=overwrite)
        self._run(src, _ops.call("delete_object", **self._args(src)))

    # -- naming, health, lifecycle ----------------------------------------------------

    def native_path(self, path: str) -> str:
        return f"{self._bucket}/{path}" if path else self._bucket

    def to_key(self, native_path: str) -> str:
        text = native_path.removeprefix("s3://")
        if text == self._bucket:
            return ""
        return (
            text.removeprefix(self._bucket + "/")
            if text.startswith(self._bucket + "/")
            else native_path
        )

    def resolve(self, path: str) -> Any:
        plan = super().resolve(path)
        details = {
            "bucket": self._bucket,
            "object_key": path,
            "endpoint_url": _strip_userinfo(self._endpoint_url),
        }
        return dataclasses.replace(plan, details=details)

    def check_health(self) -> None:
        self._run(None, _ops.call("head_bucket", Bucket=self._bucket))

    def close(self) -> None:
        """Close the aiobotocore client and its connection pool; a later call reconnects."""
        with self._lock:
            client, self._client, fs, self._fs = self._client, None, self._fs, None
        if client is not None and fs is not None:
            try:
                asyncio.run_coroutine_threadsafe(
                    client.__aexit__(None, None, None), fs.loop
                ).result(10)
            except Exception:
                pass
            fs._s3 = None

    def unwrap(self, type_hint: type[T]) -> T:
        """``s3fs.S3FileSystem`` (bypasses the store root)."""
        import s3fs

        if type_hint is s3fs.S3FileSystem or type_hint.__name__ == "AbstractFileSystem":
            self._client or self._connect()
            return self._fs  # type: ignore[no-any-return]
        return super().unwrap(type_hint)


def _botocore_config(policy: RetryPolicy, endpoint_url: str | None) -> dict[str, Any]:
    """botocore retries off (``_run`` retries per the policy); the policy's timeout per request."""
    config: dict[str, Any] = {"retries": {"total_max_attempts": 1}}
    if policy.timeout is not None:
        config["connect_timeout"] = policy.timeout
        config["read_timeout"] = policy.timeout
    if endpoint_url:
        config["s3"] = {"addressing_style": "path"}  # what S3-compatible servers expect
    return config


def _strip_userinfo(url: str | None) -> str | None:
    if not url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _folder(prefix: str) -> FolderEntry:
    key = prefix.rstrip("/")
    return FolderEntry(RemotePath._trusted(key), key.rpartition("/")[2])


def _http_date(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def _digest(response: Mapping[str, Any]) -> ContentDigest | None:
    """The full-object checksum S3 reports (base64) as hex; composite checksums are skipped."""
    for field in _CHECKSUMS:
        value = response.get(field)
        if value and "-" not in value:
            algorithm = field.removeprefix("Checksum").lower()
            return ContentDigest(algorithm, base64.b64decode(value).hex())
    return None
