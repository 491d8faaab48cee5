"""AzureBackend: the sync backend, a thin shell running :class:`AsyncAzureBackend`.

The storage logic lives once, in the async backend; this class runs it on a private event
loop through the core's :class:`~remote_store.aio.AsyncBackendSyncAdapter` (reads and
listings stream across, writes are fed through a small bounded queue). It adds what only
sync code has: ``read_seekable`` as a Range-based reader that downloads nothing until read.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from typing import Any, BinaryIO, ClassVar

from remote_store.aio import AsyncBackendSyncAdapter
from remote_store.backend import CapabilitySet, RetryPolicy, Secret, WritableContent, WriteResult

from remote_store_azure._async_backend import AsyncAzureBackend
from remote_store_azure._clients import HnsMode

__all__ = ["AzureBackend", "RangeReader"]

#: Bytes the seekable reader fetches at least per ranged GET.
SEEKABLE_BUFFER = 256 * 1024


class AzureBackend(AsyncBackendSyncAdapter):
    """Azure Blob Storage (and ADLS Gen2 with ``hns``) for sync code.

    Takes the options of :class:`~remote_store_azure.AsyncAzureBackend` (those of
    remote-store 0.27's ``AzureBackend`` plus ``hns``).
    """

    CAPABILITIES: ClassVar[CapabilitySet] = AsyncAzureBackend.CAPABILITIES

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
        backend = AsyncAzureBackend(
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
        super().__init__(backend)
        self._azure = backend

    def __repr__(self) -> str:
        return f"AzureBackend({self._azure.settings!r})"

    def write_if_match(
        self,
        path: str,
        content: WritableContent,
        *,
        etag: str,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        """Replace the blob only while its etag is still ``etag`` (``If-Match``); else
        :class:`PreconditionFailed`. Not a Store method: call it on the backend."""
        replace = functools.partial(self._azure.write, etag=etag)
        return self._write(replace, path, content, overwrite=True, metadata=metadata)

    def read_seekable(self, path: str) -> BinaryIO:
        """A seekable stream of ranged GETs; only the size is fetched up front."""
        size = self.get_file_info(path).size
        raw = RangeReader(self, path, size)
        return io.BufferedReader(raw, SEEKABLE_BUFFER)


class RangeReader(io.RawIOBase):
    """A seekable raw stream over a blob: each ``readinto`` is one HTTP Range GET."""

    def __init__(self, backend: AzureBackend, path: str, size: int) -> None:
        super().__init__()
        self._backend = backend
        self._path = path
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = self._size + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if target < 0:
            raise ValueError("negative seek position")
        self._position = target
        return target

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        length = min(len(view), self._size - self._position)
        if length <= 0:
            return 0
        azure = self._backend._azure
        path, start = self._path, self._position
        data = self._backend._run(lambda: azure.read_range(path, start, length))
        view[: len(data)] = data
        self._position += len(data)
        return len(data)
