"""AsyncReadStream: what :meth:`AsyncStore.read` returns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from remote_store.errors import RemoteStoreError

__all__ = ["AsyncReadStream"]


class AsyncReadStream:
    """An async iterator of a file's chunks whose native errors surface as typed errors.

    ``async for chunk in stream`` reads it; ``await stream.read()`` gives the rest at
    once; ``async with`` or :meth:`aclose` releases it when stopping early.
    """

    def __init__(
        self, chunks: AsyncIterator[bytes], map_error: Callable[[BaseException], RemoteStoreError]
    ) -> None:
        self._chunks = chunks
        self._map_error = map_error
        self._closed = False

    def __aiter__(self) -> AsyncReadStream:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        try:
            return await self._chunks.__anext__()
        except (StopAsyncIteration, RemoteStoreError):
            raise
        except Exception as exc:
            raise self._map_error(exc) from exc

    async def read(self) -> bytes:
        """Everything not read yet."""
        return b"".join([chunk async for chunk in self])

    async def aclose(self) -> None:
        """Stop reading and release the backend's stream (safe to call twice)."""
        if self._closed:
            return
        self._closed = True
        close: Any = getattr(self._chunks, "aclose", None)
        if close is not None:
            try:
                await close()
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise self._map_error(exc) from exc

    async def __aenter__(self) -> AsyncReadStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
