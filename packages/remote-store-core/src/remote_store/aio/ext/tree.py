"""Folder operations for :class:`~remote_store.aio.AsyncStore`: the async twin of
:mod:`remote_store.ext.tree` (same arguments, outcomes and errors).

Files run as tasks on the caller's loop, at most ``workers`` at a time (an
:class:`asyncio.Semaphore`; 8 when a side is remote, 4 when both are local or in memory);
each file streams chunk by chunk into ``write_atomic`` (``write`` where the destination
has no ``ATOMIC_WRITE``), so memory stays flat and an interrupted run leaves whole files
only. Every file is attempted; failures end in one
:class:`~remote_store.errors.TreeTransferError`. Cancelling the call cancels the
running files (their atomic writes publish nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from remote_store._capabilities import Capability
from remote_store._models import FileInfo
from remote_store.aio._store import AsyncStore
from remote_store.errors import DirectoryNotEmpty, NotFound
from remote_store.ext._tree_plan import (
    FileCounter,
    FileOutcome,
    ProgressHandler,
    ProgressTracker,
    TreeProgress,
    TreeResult,
    as_store_error,
    check_compare,
    check_workers,
    plan_sync,
    raise_for_failures,
    relative_listing,
)
from remote_store.ext._tree_sides import (
    Job,
    Side,
    by_path,
    check_local_folder,
    check_not_nested,
    copy_jobs,
    dry_run_result,
    skipped_outcomes,
)

__all__ = [
    "FileOutcome",
    "TreeProgress",
    "TreeResult",
    "copy_tree",
    "download_tree",
    "local_store",
    "move_tree",
    "sync_tree",
    "upload_tree",
]


def local_store(folder: str | os.PathLike[str], *, must_exist: bool = True) -> AsyncStore:
    """An async store over a local folder (the ``local`` backend in worker threads)."""
    from remote_store.aio._sync_backend_in_async import SyncBackendAdapter
    from remote_store.backends._local import LocalBackend

    path = check_local_folder(folder, must_exist=must_exist)
    return AsyncStore(SyncBackendAdapter(LocalBackend(path)))


class _Side(Side[AsyncStore]):
    """An AsyncStore and a folder in it."""

    def __init__(self, store: AsyncStore, folder: str) -> None:
        super().__init__(store, folder, AsyncStore)

    async def list(self, strict: bool) -> dict[str, FileInfo]:
        entries = [
            info async for info in self.store.list_files(self.folder, recursive=True, strict=strict)
        ]
        return relative_listing(entries, self.folder)


class _Engine:
    def __init__(
        self,
        src: _Side,
        dst: _Side,
        *,
        overwrite: bool,
        move: bool,
        workers: int | None,
        on_progress: ProgressHandler | None,
    ) -> None:
        self.src, self.dst = src, dst
        self.overwrite, self.move = overwrite, move
        self.workers = check_workers(workers, src.backend_name, dst.backend_name)
        self.on_progress = on_progress
        self.native = self._native_operation()
        self.tracker: ProgressTracker | None = None
        self.dry_run = False  # decide (hashing if needed) but write nothing
        check_not_nested(src, dst)

    def _native_operation(self) -> Callable[[str], Awaitable[None]] | None:
        src, dst = self.src.store, self.dst.store
        if src.backend is not dst.backend:
            return None
        if not src.supports(Capability.MOVE if self.move else Capability.COPY):
            return None
        if src is dst:
            method, name = (src.move if self.move else src.copy), _Side.path
        else:
            root = AsyncStore(src.backend, "", _owns=False)
            method, name = (root.move if self.move else root.copy), _Side.key
        overwrite = self.overwrite

        async def operation(relative: str) -> None:
            await method(name(self.src, relative), name(self.dst, relative), overwrite=overwrite)

        return operation

    async def run(self, jobs: Sequence[Job], done: list[FileOutcome]) -> list[FileOutcome]:
        self.tracker = ProgressTracker([info for _, info, _ in jobs], self.on_progress)
        gate = asyncio.Semaphore(self.workers)

        async def bounded(job: Job) -> FileOutcome:
            async with gate:
                return await self._one(*job)

        results = await asyncio.gather(*(bounded(job) for job in jobs))
        return [*done, *results]

    async def _one(self, relative: str, info: FileInfo, existing: FileInfo | None) -> FileOutcome:
        assert self.tracker is not None
        counter = self.tracker.chunk_counter(relative, info.size)
        try:
            if existing is not None and not await self._content_differs(relative):
                counter.finish(True)
                return FileOutcome(relative, "skipped", info.size)
            if not self.dry_run:
                await self._transfer(relative, counter)
        except Exception as exc:
            counter.finish(False)
            return FileOutcome(relative, "failed", info.size, as_store_error(exc, relative))
        counter.finish(True)
        return FileOutcome(relative, "moved" if self.move else "copied", info.size)

    async def _content_differs(self, relative: str) -> bool:
        left = await _sha256(self.src.store, self.src.path(relative))
        right = await _sha256(self.dst.store, self.dst.path(relative))
        return left != right

    async def _transfer(self, relative: str, counter: FileCounter) -> None:
        if self.native is not None:
            await self.native(relative)
            return
        src, dst = self.src.store, self.dst.store
        target = self.dst.path(relative)
        async with src.read(self.src.path(relative)) as stream:
            body = _counted(stream, counter)
            if dst.supports(Capability.ATOMIC_WRITE):
                await dst.write_atomic(target, body, overwrite=self.overwrite)
            else:
                await dst.write(target, body, overwrite=self.overwrite)
        if self.move:
            await src.delete(self.src.path(relative))


async def _counted(chunks: AsyncIterator[bytes], counter: FileCounter) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        counter(len(chunk))
        yield chunk


async def _sha256(store: AsyncStore, path: str) -> str:
    hasher = hashlib.sha256()
    async with store.read(path) as stream:
        async for chunk in stream:
            hasher.update(chunk)
    return hasher.hexdigest()


async def copy_tree(
    src: AsyncStore,
    src_path: str,
    dst: AsyncStore,
    dst_path: str,
    *,
    overwrite: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Copy every file below ``src_path`` of ``src`` to ``dst_path`` of ``dst``."""
    engine = _Engine(
        _Side(src, src_path),
        _Side(dst, dst_path),
        overwrite=overwrite,
        move=False,
        workers=workers,
        on_progress=on_progress,
    )
    outcomes = await engine.run(copy_jobs(await engine.src.list(strict=True)), [])
    return raise_for_failures(TreeResult(tuple(outcomes)), "copy", engine.src.folder)


async def move_tree(
    src: AsyncStore,
    src_path: str,
    dst: AsyncStore,
    dst_path: str,
    *,
    overwrite: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Move every file below ``src_path``: each source file is deleted only after its copy
    is complete; emptied source folders are removed at the end."""
    engine = _Engine(
        _Side(src, src_path),
        _Side(dst, dst_path),
        overwrite=overwrite,
        move=True,
        workers=workers,
        on_progress=on_progress,
    )
    result = TreeResult(tuple(await engine.run(copy_jobs(await engine.src.list(strict=True)), [])))
    if result.ok:
        await _remove_empty_folders(engine.src)
    return raise_for_failures(result, "move", engine.src.folder)


async def _remove_empty_folders(side: _Side) -> None:
    """Delete the (now empty) folders left below a moved folder, deepest first."""
    store = side.store
    if not store.supports(Capability.DELETE):
        return
    try:
        folders = [
            str(entry.path) async for entry in store.list_folders(side.folder, max_depth=1024)
        ]
        for folder in sorted(folders, key=lambda name: name.count("/"), reverse=True):
            with contextlib.suppress(NotFound, DirectoryNotEmpty):
                await store.delete_folder(folder)
        if side.folder:
            await store.delete_folder(side.folder, missing_ok=True)
    except (NotFound, DirectoryNotEmpty):
        return


async def sync_tree(
    src: AsyncStore,
    src_path: str,
    dst: AsyncStore,
    dst_path: str,
    *,
    delete: bool = False,
    compare: str = "size-mtime",
    dry_run: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Copy only the changed files (see :func:`remote_store.ext.tree.sync_tree`)."""
    check_compare(compare)
    engine = _Engine(
        _Side(src, src_path),
        _Side(dst, dst_path),
        overwrite=True,
        move=False,
        workers=workers,
        on_progress=on_progress,
    )
    sources = await engine.src.list(strict=True)
    plan = plan_sync(sources, await engine.dst.list(strict=False), compare, delete)
    skipped = skipped_outcomes(plan)
    if dry_run:  # hashes where the comparison needs them, writes nothing
        engine.dry_run = True
        return dry_run_result(await engine.run(plan.copy, skipped), plan)
    outcomes = sorted(await engine.run(plan.copy, skipped), key=by_path)
    if plan.delete and all(item.status != "failed" for item in outcomes):
        for relative, info in plan.delete:
            try:
                await engine.dst.store.delete(engine.dst.path(relative), missing_ok=True)
            except Exception as exc:
                error = as_store_error(exc, relative)
                outcomes.append(FileOutcome(relative, "failed", info.size, error))
            else:
                outcomes.append(FileOutcome(relative, "deleted", info.size))
    return raise_for_failures(TreeResult(tuple(outcomes)), "sync", engine.src.folder)


async def upload_tree(
    local_folder: str | os.PathLike[str],
    store: AsyncStore,
    remote_path: str = "",
    *,
    overwrite: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Copy every file below a local folder to ``remote_path`` of ``store``."""
    source = local_store(local_folder)
    async with source:
        return await copy_tree(
            source,
            "",
            store,
            remote_path,
            overwrite=overwrite,
            workers=workers,
            on_progress=on_progress,
        )


async def download_tree(
    store: AsyncStore,
    remote_path: str,
    local_folder: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Copy every file below ``remote_path`` into a local folder (created when missing)."""
    target = local_store(local_folder, must_exist=False)
    async with target:
        return await copy_tree(
            store,
            remote_path,
            target,
            "",
            overwrite=overwrite,
            workers=workers,
            on_progress=on_progress,
        )
