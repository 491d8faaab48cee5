"""The read stream: one streamed GET, resumed and seeked with ranges, pinned to one generation.

Every GET names the generation the first response reported, so a read that resumes after
a cut (or seeks) never mixes two versions of the object: once the object is replaced the
pinned generation is gone and the read fails with :class:`PreconditionFailed`.
"""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any

from remote_store.backend import CHUNK_SIZE, NotFound
from remote_store.errors import PreconditionFailed

from remote_store_gcs._errors import classify

if TYPE_CHECKING:
    from remote_store_gcs._backend import GCSBackend

__all__ = ["ObjectReader", "open_reader"]


def open_reader(backend: GCSBackend, key: str) -> ObjectReader:
    """One GET of the whole object; its body streams as the caller reads."""
    response = _get(backend, key, position=0, generation=None)
    length = response.headers.get("Content-Length")
    generation = response.headers.get("X-Goog-Generation")
    size = (
        int(length) if length is not None and "Content-Encoding" not in response.headers else None
    )
    return ObjectReader(backend, key, size=size, generation=generation, response=response)


class ObjectReader(io.RawIOBase):
    """A read stream over one object generation; seekable when its size is known.

    Reads stream one GET (``Range: bytes=pos-`` after a seek or a cut); a cut body is
    resumed from the current offset per the backend's retry policy.
    """

    def __init__(
        self,
        backend: GCSBackend,
        key: str,
        *,
        size: int | None,
        generation: str | None,
        response: Any = None,
    ) -> None:
        super().__init__()
        self._backend = backend
        self._key = key
        self._size = size
        self._generation = generation
        self._response = response
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._size is not None

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self._size is None:
            raise io.UnsupportedOperation("the object's size is unknown (a transcoded body)")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        target = base + offset
        if target < 0:
            raise ValueError("negative seek position")
        if target != self._pos:
            self._drop()
            self._pos = target
        return target

    def _left(self, want: int) -> int:
        return want if self._size is None else min(want, self._size - self._pos)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._fetch(self._left(len(view)))
        view[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes; fewer only at the end of the object."""
        if size is None or size < 0:
            return self.readall()
        parts, want = [], self._left(size)
        while want > 0 and (chunk := self._fetch(want)):
            parts.append(chunk)
            want -= len(chunk)
        return b"".join(parts)

    def readall(self) -> bytes:
        parts = []
        while chunk := self._fetch(self._left(CHUNK_SIZE)):
            parts.append(chunk)
        return b"".join(parts)

    def _fetch(self, want: int) -> bytes:
        if want <= 0:
            return b""
        backend = self._backend
        delays = iter(backend.retry_policy.delays())
        while True:
            try:
                if self._response is None:
                    self._response = _get(backend, self._key, self._pos, self._generation)
                data: bytes = self._response.raw.read(want)
                if not data and self._size is not None:  # the body ended early: resume
                    raise ConnectionResetError("body ended before its length")
            except Exception as exc:
                self._drop()
                error = classify(exc, self._key, backend.name)
                delay = next(delays, None) if error.retryable else None
                if delay is None:
                    raise error from exc
                time.sleep(delay)
                continue
            self._pos += len(data)
            return data

    def _drop(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            response.close()

    def close(self) -> None:
        if not self.closed:
            self._drop()
        super().close()


def _get(backend: GCSBackend, key: str, position: int, generation: str | None) -> Any:
    """A streamed media GET from ``position`` of ``generation`` (any, when ``None``)."""
    params = {"alt": "media"}
    if generation is not None:
        params["generation"] = generation
    headers = {"Accept-Encoding": "identity"}
    if position:
        headers["Range"] = f"bytes={position}-"
    try:
        return backend._request(
            "GET", backend._url(key, media=True), key, params=params, headers=headers, stream=True
        )
    except NotFound:
        if generation is None:
            raise
        raise PreconditionFailed(
            "object changed while reading", path=key, backend=backend.name
        ) from None
