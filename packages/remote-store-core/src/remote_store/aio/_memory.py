"""AsyncMemoryBackend: the in-memory store behind an async interface."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TypeVar

from remote_store._capabilities import Capability, CapabilitySet
from remote_store._models import FileInfo, FolderEntry, FolderInfo, FolderSemantics, WriteResult
from remote_store._streams import CHUNK_SIZE
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._content import AsyncWritableContent, aiter_content
from remote_store.backends._memory import MemoryBackend

__all__ = ["AsyncMemoryBackend"]

T = TypeVar("T")


class AsyncMemoryBackend(AsyncBackend):
    """Process-local async storage for tests and scratch data.

    It keeps its files in the same tree as :class:`MemoryBackend` (one is held inside),
    so both share one set of rules. A write gathers its chunks first and publishes
    them in one step: a source that fails, or a cancelled task, leaves the old file.
    """

    CAPABILITIES = CapabilitySet(set(Capability) - {Capability.GLOB})
    FOLDER_SEMANTICS = FolderSemantics.HIERARCHICAL
    IN_PROCESS_STORAGE = True

    def __init__(self) -> None:
        self._tree = MemoryBackend()

    @property
    def name(self) -> str:
        return "memory"

    def __repr__(self) -> str:
        return "AsyncMemoryBackend()"

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle as a snapshot of the files (see :meth:`MemoryBackend.__reduce__`)."""
        return (_from_tree, (self._tree,))

    def __dask_tokenize__(self) -> object:
        """The token of the tree it holds (unique per instance)."""
        return self._tree.__dask_tokenize__()

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> AsyncIterator[bytes]:
        data = self._tree.read_bytes(path)  # NotFound / InvalidPath raised here, eagerly
        return _chunks(data)

    def read_from(self, path: str, offset: int) -> AsyncIterator[bytes]:
        return _chunks(self._tree.read_bytes(path), offset)

    async def read_bytes(self, path: str) -> bytes:
        return self._tree.read_bytes(path)

    async def get_file_info(self, path: str) -> FileInfo:
        return self._tree.get_file_info(path)

    async def exists(self, path: str) -> bool:
        return self._tree.exists(path)

    async def is_file(self, path: str) -> bool:
        return self._tree.is_file(path)

    async def is_folder(self, path: str) -> bool:
        return self._tree.is_folder(path)

    async def get_folder_info(self, path: str) -> FolderInfo:
        return self._tree.get_folder_info(path)

    # -- writes -----------------------------------------------------------------------

    async def write(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        if type(content) is not bytes:
            buffer = io.BytesIO()  # getvalue hands the buffer over: the content is held once
            async for chunk in aiter_content(content):
                buffer.write(chunk)
            content = buffer.getvalue()
        return self._tree.write(path, content, overwrite=overwrite, metadata=metadata)

    write_atomic = write

    async def write_conditional(
        self,
        path: str,
        content: AsyncWritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        if type(content) is not bytes:
            content = b"".join([chunk async for chunk in aiter_content(content)])
        return self._tree.write_conditional(
            path, content, if_match=if_match, if_none_match=if_none_match, metadata=metadata
        )

    async def delete_many(
        self, paths: Sequence[str], *, missing_ok: bool = False
    ) -> Mapping[str, BaseException | None]:
        return self._tree.delete_many(paths, missing_ok=missing_ok)

    async def delete(self, path: str, *, missing_ok: bool = False) -> None:
        self._tree.delete(path, missing_ok=missing_ok)

    async def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        self._tree.delete_folder(path, recursive=recursive, missing_ok=missing_ok)

    async def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._tree.move(src, dst, overwrite=overwrite)

    async def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._tree.copy(src, dst, overwrite=overwrite)

    # -- listings ---------------------------------------------------------------------

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> AsyncIterator[FileInfo]:
        return _drain(self._tree.list_files(path, recursive=recursive, max_depth=max_depth))

    def list_folders(self, path: str) -> AsyncIterator[FolderEntry]:
        return _drain(self._tree.list_folders(path))

    def iter_children(self, path: str) -> AsyncIterator[FileInfo | FolderEntry]:
        return _drain(self._tree.iter_children(path))


async def _chunks(data: bytes, offset: int = 0) -> AsyncIterator[bytes]:
    view = memoryview(data)
    for start in range(offset, len(data), CHUNK_SIZE):
        yield bytes(view[start : start + CHUNK_SIZE])


async def _drain(entries: Iterator[T]) -> AsyncIterator[T]:
    """An in-memory listing as an async iterator that lets other tasks run between items."""
    for count, entry in enumerate(entries, 1):
        yield entry
        if count % 256 == 0:
            await asyncio.sleep(0)


def _from_tree(tree: MemoryBackend) -> AsyncMemoryBackend:
    backend = AsyncMemoryBackend()
    backend._tree = tree
    return backend
