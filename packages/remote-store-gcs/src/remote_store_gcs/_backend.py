"""GCSBackend: Google Cloud Storage through its JSON API.

google-auth's authorized ``requests`` session carries every request (a
google-cloud-storage client on the same session is what :meth:`GCSBackend.unwrap` gives);
the backend speaks the JSON API on that session directly, so a small write is one POST,
a read one GET, and every request passes through :meth:`GCSBackend._request`: one
timeout, typed errors (:mod:`._errors`) and the :class:`RetryPolicy` for idempotent calls.

Beside the class: options and the connection in :mod:`._client`, uploads in
:mod:`._uploads` and :mod:`._writes`, listings in :mod:`._listing`, batch deletes in
:mod:`._deletes`, copies in :mod:`._copies`, the read stream in :mod:`._reader`, models
in :mod:`._responses`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, BinaryIO, TypeVar
from urllib.parse import quote

from remote_store.backend import (
    Backend,
    Capability,
    CapabilitySet,
    ConfigError,
    FileInfo,
    FolderEntry,
    FolderInfo,
    InvalidPath,
    NotFound,
    ResolutionPlan,
    RetryPolicy,
    Secret,
    WritableContent,
    WriteResult,
    call_with_retry,
    glob_by_listing,
)

from remote_store_gcs import _client, _copies, _deletes, _listing, _writes
from remote_store_gcs._errors import classify, raise_for_status
from remote_store_gcs._reader import ObjectReader, open_reader
from remote_store_gcs._responses import file_info
from remote_store_gcs._uploads import CHUNK_QUANTUM

__all__ = ["GCSBackend"]

T = TypeVar("T")

#: Entries one ``exists`` listing may return: room for many ``path.*`` siblings, still small.
_EXISTS_PAGE = 100


class GCSBackend(Backend):
    """Files in one Cloud Storage bucket; folders exist while objects lie below them.

    Options: ``bucket``; credentials: ``credentials_json`` (a service-account key's JSON
    text, ``str`` or :class:`Secret`), else application-default credentials, or
    ``anonymous=True`` (the default with an ``endpoint_url``: emulators, public buckets);
    ``project``; ``endpoint_url`` (an emulator or a private endpoint); ``chunk_size``
    (bytes held in memory per upload request, a multiple of 256 KiB, 8 MiB by default);
    ``retry`` (a :class:`RetryPolicy` or a mapping of its fields).
    """

    CAPABILITIES = CapabilitySet(set(Capability) - {Capability.ATOMIC_MOVE})

    def __init__(
        self,
        bucket: str,
        *,
        credentials_json: str | Secret | None = None,
        anonymous: bool | None = None,
        project: str | None = None,
        endpoint_url: str | None = None,
        chunk_size: int = 8 * 1024 * 1024,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(bucket, str) or not bucket.strip() or "/" in bucket:
            raise ConfigError("bucket must be a bucket name (no slashes)")
        if not isinstance(chunk_size, int) or chunk_size <= 0 or chunk_size % CHUNK_QUANTUM:
            raise ConfigError("chunk_size must be a positive multiple of 262144 (256 KiB)")
        if anonymous and credentials_json is not None:
            raise ConfigError("give credentials_json or anonymous=True, not both")
        self._bucket = bucket
        self._base = _client.endpoint(endpoint_url)
        self._credentials = Secret(credentials_json) if credentials_json is not None else None
        self._anonymous = (
            bool(anonymous)
            if anonymous is not None
            else endpoint_url is not None and credentials_json is None
        )
        self._project = project
        self._chunk_size = chunk_size
        self.retry_policy = _client.retry_policy(retry)
        self._session: Any = None
        self._project_id: str | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "gcs"

    @property
    def location(self) -> str:
        """``gcs bucket '<bucket>'``."""
        return f"gcs bucket {self._bucket!r}"

    def __repr__(self) -> str:
        auth = "anonymous" if self._anonymous else "service-account" if self._credentials else "adc"
        return (
            f"GCSBackend(bucket={self._bucket!r}, endpoint_url="
            f"{_client.strip_userinfo(self._base)!r}, auth={auth!r})"
        )

    # -- the session and the request runner -------------------------------------------

    def _connect(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session, self._project_id = _client.connect(
                    base_url=self._base,
                    credentials_json=self._credentials,
                    anonymous=self._anonymous,
                    project=self._project,
                )
            return self._session

    def _request(
        self,
        method: str,
        url: str,
        path: str | None,
        *,
        idempotent: bool = False,
        ok: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> Any:
        """One HTTP request; a status of 400 or more (not in ``ok``) raises a typed error."""

        def attempt() -> Any:
            session = self._session or self._connect()
            try:
                response = session.request(method, url, timeout=self.retry_policy.timeout, **kwargs)
            except Exception as exc:
                raise classify(exc, path, self.name) from exc
            if response.status_code not in ok:
                raise_for_status(response, path, self.name)
            return response

        if not idempotent:
            return attempt()
        return call_with_retry(
            self.retry_policy,
            attempt,
            retry_after=lambda exc: getattr(exc, "retry_after", None),
            sleep=self._sleep,
        )

    @staticmethod
    def _sleep(seconds: float) -> None:
        time.sleep(seconds)

    def map_error(self, exc: BaseException, path: str | None = None) -> Any:
        """Classify by HTTP status, the service's error reason and exception type."""
        return classify(exc, path, self.name)

    # -- URLs -------------------------------------------------------------------------

    def _url(self, key: str, *, media: bool = False) -> str:
        return _client.object_url(self._base, self._bucket, key, media=media)

    def _object_path(self, key: str) -> str:
        return _client.object_url("", self._bucket, key)

    def _list_url(self) -> str:
        return f"{self._base}/storage/v1/b/{quote(self._bucket, safe='')}/o"

    def _upload_url(self) -> str:
        return f"{self._base}/upload/storage/v1/b/{quote(self._bucket, safe='')}/o"

    def _batch_url(self) -> str:
        return f"{self._base}/batch/storage/v1"

    def _rewrite_url(self, src: str, dst: str) -> str:
        target = _client.object_url("", self._bucket, dst).removeprefix("/storage/v1/")
        return f"{self._url(src)}/rewriteTo/{target}"

    # -- queries ----------------------------------------------------------------------

    def _stat(self, key: str) -> dict[str, Any] | None:
        """The object's resource, ``None`` when there is no such object."""
        try:
            response = self._request("GET", self._url(key), key, idempotent=True)
        except NotFound:
            return None
        resource: dict[str, Any] = response.json()
        return resource

    def is_file(self, path: str) -> bool:
        return path != "" and self._stat(path) is not None

    def is_folder(self, path: str) -> bool:
        if path == "":
            return True
        page = next(_listing.pages(self, path, prefix=path + "/", delimiter=False, page_size=1))
        return bool(page.get("items"))

    def exists(self, path: str) -> bool:
        """One delimited listing from the key itself (see :func:`._listing.exists`)."""
        return path == "" or _listing.exists(self, path, _EXISTS_PAGE)

    def get_file_info(self, path: str) -> FileInfo:
        resource = self._stat(path)
        if resource is None:
            raise self._missing(path)
        return file_info(resource)

    # -- reads ------------------------------------------------------------------------

    def _missing(self, path: str) -> Exception:
        if path and self.is_folder(path):
            return InvalidPath("not a file", path=path, backend=self.name)
        return NotFound("file not found", path=path, backend=self.name)

    def read(self, path: str) -> BinaryIO:
        """One GET; the body streams as it is read (resumed with a range on a cut)."""
        try:
            return open_reader(self, path)  # type: ignore[return-value]
        except NotFound:
            raise self._missing(path) from None

    def read_bytes(self, path: str) -> bytes:
        try:
            response = self._request(
                "GET",
                self._url(path, media=True),
                path,
                params={"alt": "media"},
                headers={"Accept-Encoding": "identity"},
                idempotent=True,
            )
        except NotFound:
            raise self._missing(path) from None
        data: bytes = response.content
        return data

    def read_seekable(self, path: str) -> BinaryIO:
        """A metadata GET, then ranged GETs only for the bytes actually read."""
        resource = self._stat(path)
        if resource is None:
            raise self._missing(path)
        size, generation = int(resource.get("size") or 0), resource.get("generation")
        return ObjectReader(self, path, size=size, generation=str(generation))  # type: ignore[return-value]

    # -- writes (:mod:`._writes`) -----------------------------------------------------

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
        if_generation_match: int | None = None,
    ) -> WriteResult:
        """One multipart POST (``ifGenerationMatch=0`` unless ``overwrite``); a stream
        over one chunk goes through a resumable upload.

        ``if_generation_match`` replaces the object only if it is still that generation
        (``0``: only if absent), else :class:`PreconditionFailed`.
        """
        return _writes.write(
            self,
            path,
            content,
            overwrite=overwrite,
            metadata=metadata,
            if_generation_match=if_generation_match,
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
        """Compare-and-swap on the service (see :func:`._writes.write_conditional`)."""
        return _writes.write_conditional(
            self, path, content, if_match=if_match, if_none_match=if_none_match, metadata=metadata
        )

    def write_atomic(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """The same as :meth:`write`: an object appears only when its upload is complete."""
        return self.write(path, content, overwrite=overwrite, metadata=metadata)

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AbstractContextManager[BinaryIO]:
        """A resumable upload: chunks go out as they fill, the commit happens on a clean exit."""
        sink = _writes.UploadSink(self, path, overwrite=overwrite, metadata=metadata)
        return _writes.AtomicUpload(sink)

    # -- deletes (many: :mod:`._deletes`) ---------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """One DELETE; a 404 is then told apart from a folder."""
        try:
            self._request("DELETE", self._url(path), path, idempotent=False)
        except NotFound:
            error = self._missing(path)
            if missing_ok and isinstance(error, NotFound):
                return
            raise error from None

    def delete_many(
        self, keys: Sequence[str], *, missing_ok: bool = False
    ) -> dict[str, BaseException | None]:
        """Delete files with batch requests of 100 DELETEs each."""
        return _deletes.delete_many(self, keys, missing_ok=missing_ok)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        _deletes.delete_folder(self, path, recursive=recursive, missing_ok=missing_ok)

    # -- listings (:mod:`._listing`) --------------------------------------------------

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

    # -- copy and move (:mod:`._copies`) ---------------------------------------------

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """A server-side rewrite (metadata kept), pinned to the source's generation."""
        _copies.copy(self, src, dst, overwrite=overwrite)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy, then delete the source generation that was copied (no rename in GCS)."""
        _copies.move(self, src, dst, overwrite=overwrite)

    # -- naming, health, lifecycle ----------------------------------------------------

    def native_path(self, path: str) -> str:
        return f"gs://{self._bucket}/{path}" if path else f"gs://{self._bucket}"

    def to_key(self, native_path: str) -> str:
        text = native_path.removeprefix("gs://")
        if text == self._bucket or text.startswith(self._bucket + "/"):
            return text[len(self._bucket) + 1 :]
        return native_path

    def resolve(self, path: str) -> ResolutionPlan:
        details = {"bucket": self._bucket, "object_name": path, "endpoint_url": self._base}
        return dataclasses.replace(super().resolve(path), details=details)

    def check_health(self) -> None:
        url = f"{self._base}/storage/v1/b/{quote(self._bucket, safe='')}"
        self._request("GET", url, None, params={"fields": "name"}, idempotent=True)

    def close(self) -> None:
        """Close the HTTP session; a later call reconnects."""
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()

    def unwrap(self, type_hint: type[T]) -> T:
        """The ``google.cloud.storage.Client`` on the same session (bypasses the store root)."""
        from google.cloud import storage

        if type_hint is storage.Client:
            session = self._session or self._connect()
            return _client.storage_client(session, self._base, self._project_id)  # type: ignore[no-any-return]
        return super().unwrap(type_hint)
