"""What the sync and async S3 backends share: options, naming, request arguments, errors.

:class:`S3Options` is a mixin of both :class:`~remote_store_s3.S3Backend` and
:class:`~remote_store_s3.AsyncS3Backend`; it holds no connection and does no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from remote_store.backend import FolderSemantics, ResolutionPlan, RetryPolicy, Secret, redact_url
from remote_store.errors import ConfigError, RemoteStoreError

from remote_store_s3 import _client
from remote_store_s3._errors import classify

__all__ = ["COPY_OBJECT_LIMIT", "S3Options"]

#: CopyObject's size limit: larger objects are copied with UploadPartCopy.
COPY_OBJECT_LIMIT = 5 * 1024**3


class S3Options:
    """The options of an S3 backend (remote-store 0.27's), checked, and what follows
    from them alone: request arguments, native paths, error mapping, the repr."""

    _bucket: str
    _key: Secret | None
    _secret: Secret | None
    _client_options: dict[str, Any]
    _endpoint_url: str | None
    _region_name: str | None
    _tls_ca_bundle: str | None
    _reject_under_file: bool
    retry_policy: RetryPolicy

    def _configure(
        self,
        bucket: str,
        *,
        endpoint_url: str | None,
        key: str | Secret | None,
        secret: str | Secret | None,
        region_name: str | None,
        tls_ca_bundle: str | None,
        client_options: Mapping[str, Any] | None,
        retry: RetryPolicy | Mapping[str, Any] | None,
        reject_write_under_file_ancestor: bool,
        access_key: str | Secret | None,
        secret_key: str | Secret | None,
    ) -> None:
        if not isinstance(bucket, str) or not bucket.strip():
            raise ConfigError("bucket must be a non-empty string")
        self._key, self._secret, self._client_options = _client.resolve_options(
            key=key,
            secret=secret,
            access_key=access_key,
            secret_key=secret_key,
            client_options=client_options,
        )
        self._bucket = bucket
        self._endpoint_url = endpoint_url
        self._region_name = region_name
        self._tls_ca_bundle = tls_ca_bundle
        self.retry_policy = _client.retry_policy(retry)
        self._reject_under_file = reject_write_under_file_ancestor

    def _new_filesystem(self, *, asynchronous: bool = False) -> Any:
        """A new ``s3fs.S3FileSystem`` for these options (``asynchronous``: for this loop)."""
        return _client.filesystem(
            key=self._key,
            secret=self._secret,
            endpoint_url=self._endpoint_url,
            region_name=self._region_name,
            tls_ca_bundle=self._tls_ca_bundle,
            options=self._client_options,
            policy=self.retry_policy,
            asynchronous=asynchronous,
        )

    @property
    def _backend_name(self) -> str:
        return "s3"

    @property
    def location(self) -> str:
        """``s3 bucket '<bucket>'``, and the endpoint (credentials masked) when one is set."""
        name = getattr(self, "name", None)  # "s3-pyarrow" for the Arrow subclass
        where = f"{name if isinstance(name, str) else self._backend_name} bucket {self._bucket!r}"
        if isinstance(self._endpoint_url, str) and self._endpoint_url:
            where += f" at {redact_url(_client.strip_userinfo(self._endpoint_url) or '')!r}"
        return where

    @property
    def folder_semantics(self) -> FolderSemantics:
        """Flat keys; a write below a file is refused with ``reject_write_under_file_ancestor``."""
        return FolderSemantics(
            keeps_empty_folders=False, rejects_file_ancestors=self._reject_under_file
        )

    def __repr__(self) -> str:
        endpoint = _client.strip_userinfo(self._endpoint_url)
        return (
            f"{type(self).__name__}(bucket={self._bucket!r}, endpoint_url={endpoint!r},"
            f" region_name={self._region_name!r}, key={self._key!r}, secret={self._secret!r})"
        )

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError:
        """Classify by S3 error code, HTTP status and exception type."""
        return classify(exc, path, self._backend_name)

    def _args(self, key: str, **extra: Any) -> dict[str, Any]:
        return {"Bucket": self._bucket, "Key": key, **extra}

    def native_path(self, path: str) -> str:
        """``bucket/key`` (the bucket alone for the root)."""
        return f"{self._bucket}/{path}" if path else self._bucket

    def to_key(self, native_path: str) -> str:
        """The key of ``bucket/key`` or ``s3://bucket/key``; other text is returned as is."""
        text = native_path.removeprefix("s3://")
        if text == self._bucket:
            return ""
        return (
            text.removeprefix(self._bucket + "/")
            if text.startswith(self._bucket + "/")
            else native_path
        )

    def _resolution(self, plan: ResolutionPlan, path: str) -> ResolutionPlan:
        details = {
            "bucket": self._bucket,
            "object_key": path,
            "endpoint_url": _client.strip_userinfo(self._endpoint_url),
        }
        return dataclasses.replace(plan, details=details)
