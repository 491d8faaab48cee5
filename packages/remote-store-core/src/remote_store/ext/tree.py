"""Folder operations: copy, move, sync, upload and download whole trees of files.

Each function lists the source folder, then moves the files with a bounded thread pool
(``workers``; 8 when a side is remote, 4 when both are local or in memory), streaming each
file in chunks (memory stays flat whatever the sizes). Every file is attempted: a failure
is recorded and the others go on. The function returns a :class:`TreeResult` with one
:class:`FileOutcome` per file, or raises :class:`~remote_store.errors.TreeTransferError`
carrying every failure (and the full result) when any file failed.

Writes go through ``write_atomic`` where the destination declares ``ATOMIC_WRITE`` (local
disk, S3...), so an interrupted run leaves whole files or none, never a partial one; a
re-run with :func:`sync_tree` completes it. Within one backend that declares ``COPY``
(or ``MOVE``) the copy is done server-side. ``overwrite=False`` refuses each existing
destination file with :class:`~remote_store.errors.AlreadyExists`, as for single files.
Only files are copied: an empty folder has no file to carry (object stores have no folders).
``on_progress(TreeProgress)`` is called from the worker threads after every chunk and file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from remote_store._capabilities import Capability
from remote_store._models import FileInfo
from remote_store._store import Store
from remote_store.errors import DirectoryNotEmpty, NotFound, TreeTransferError
from remote_store.ext._tree_plan import (
    COMPARE_MODES,
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
from remote_store.ext.integrity import checksum
from remote_store.ext.streams import ProgressReader

__all__ = [
    "COMPARE_MODES",
    "FileOutcome",
    "TreeProgress",
    "TreeResult",
    "TreeTransferError",
    "copy_tree",
    "download_tree",
    "local_store",
    "move_tree",
    "sync_tree",
    "upload_tree",
]


def local_store(folder: str | os.PathLike[str], *, must_exist: bool = True) -> Store:
    """A store rooted at a local folder (the ``local`` backend), for the tree functions."""
    from remote_store.backends._local import LocalBackend

    return Store(LocalBackend(check_local_folder(folder, must_exist=must_exist)))


class _Side(Side[Store]):
    """A Store and a folder in it."""

    def __init__(self, store: Store, folder: str) -> None:
        super().__init__(store, folder, Store)

    def list(self, strict: bool) -> dict[str, FileInfo]:
        listing = self.store.list_files(self.folder, recursive=True, strict=strict)
        return relative_listing(listing, self.folder)


class _Engine:
    """Runs per-file jobs on a thread pool and collects their outcomes."""

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

    def _native_operation(self) -> Callable[[str], None] | None:
        """A server-side copy/move of one file, when both sides are one backend that has it."""
        src, dst = self.src.store, self.dst.store
        if src.backend is not dst.backend:
            return None
        capability = Capability.MOVE if self.move else Capability.COPY
        if not src.supports(capability):
            return None
        if src is dst:  # keep the caller's store (and any wrapper): store-relative paths
            method, name = (src.move if self.move else src.copy), _Side.path
        else:  # two stores on one backend: a root store and backend keys
            root = Store(src.backend, "", _owns=False)
            method, name = (root.move if self.move else root.copy), _Side.key
        overwrite = self.overwrite

        def operation(relative: str) -> None:
            method(name(self.src, relative), name(self.dst, relative), overwrite=overwrite)

        return operation

    def run(self, jobs: Sequence[Job], done: list[FileOutcome]) -> list[FileOutcome]:
        """Run every copy job; ``done`` are outcomes decided without I/O (skips)."""
        self.tracker = ProgressTracker([info for _, info, _ in jobs], self.on_progress)
        outcomes = list(done)
        if not jobs:
            return outcomes
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="remote-store-tree")
        futures: list[Future[FileOutcome]] = []
        try:
            for relative, info, existing in jobs:
                futures.append(pool.submit(self._one, relative, info, existing))
            outcomes.extend(future.result() for future in futures)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # running files finish whole
            raise
        pool.shutdown(wait=True)
        return outcomes

    def _one(self, relative: str, info: FileInfo, existing: FileInfo | None) -> FileOutcome:
        assert self.tracker is not None
        counter = self.tracker.chunk_counter(relative, info.size)
        try:
            if existing is not None and not self._content_differs(relative):
                counter.finish(True)
                return FileOutcome(relative, "skipped", info.size)
            if not self.dry_run:
                self._transfer(relative, counter)
        except Exception as exc:
            counter.finish(False)
            return FileOutcome(relative, "failed", info.size, as_store_error(exc, relative))
        counter.finish(True)
        return FileOutcome(relative, "moved" if self.move else "copied", info.size)

    def _content_differs(self, relative: str) -> bool:
        _, left = checksum(self.src.store, self.src.path(relative))
        _, right = checksum(self.dst.store, self.dst.path(relative))
        return left != right

    def _transfer(self, relative: str, counter: Callable[[int], None]) -> None:
        if self.native is not None:
            self.native(relative)
            return
        src, dst = self.src.store, self.dst.store
        target = self.dst.path(relative)
        with src.read(self.src.path(relative)) as stream:
            body = ProgressReader(stream, counter)
            if dst.supports(Capability.ATOMIC_WRITE):
                dst.write_atomic(target, body, overwrite=self.overwrite)  # type: ignore[arg-type]
            else:
                dst.write(target, body, overwrite=self.overwrite)  # type: ignore[arg-type]
        if self.move:
            src.delete(self.src.path(relative))


def _engine(
    src: Store,
    src_path: str,
    dst: Store,
    dst_path: str,
    *,
    overwrite: bool,
    move: bool,
    workers: int | None,
    on_progress: ProgressHandler | None,
) -> _Engine:
    engine = _Engine(
        _Side(src, src_path),
        _Side(dst, dst_path),
        overwrite=overwrite,
        move=move,
        workers=workers,
        on_progress=on_progress,
    )
    check_not_nested(engine.src, engine.dst)
    return engine


def copy_tree(
    src: Store,
    src_path: str,
    dst: Store,
    dst_path: str,
    *,
    overwrite: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Copy every file below ``src_path`` of ``src`` to ``dst_path`` of ``dst``."""
    engine = _engine(
        src,
        src_path,
        dst,
        dst_path,
        overwrite=overwrite,
        move=False,
        workers=workers,
        on_progress=on_progress,
    )
    jobs = copy_jobs(engine.src.list(strict=True))
    return raise_for_failures(TreeResult(tuple(engine.run(jobs, []))), "copy", engine.src.folder)


def move_tree(
    src: Store,
    src_path: str,
    dst: Store,
    dst_path: str,
    *,
    overwrite: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Move every file below ``src_path`` to ``dst_path``: each source file is deleted
    only after its copy is complete; emptied source folders are removed at the end."""
    engine = _engine(
        src,
        src_path,
        dst,
        dst_path,
        overwrite=overwrite,
        move=True,
        workers=workers,
        on_progress=on_progress,
    )
    result = TreeResult(tuple(engine.run(copy_jobs(engine.src.list(strict=True)), [])))
    if result.ok:
        _remove_empty_folders(engine.src)
    return raise_for_failures(result, "move", engine.src.folder)


def _remove_empty_folders(side: _Side) -> None:
    """Delete the (now empty) folders left below a moved folder, deepest first."""
    store = side.store
    if not store.supports(Capability.DELETE):
        return
    with contextlib.suppress(NotFound, DirectoryNotEmpty):
        folders = [str(entry.path) for entry in store.list_folders(side.folder, max_depth=1024)]
        for folder in sorted(folders, key=lambda name: name.count("/"), reverse=True):
            with contextlib.suppress(NotFound, DirectoryNotEmpty):
                store.delete_folder(folder)
        if side.folder:
            store.delete_folder(side.folder, missing_ok=True)


def sync_tree(
    src: Store,
    src_path: str,
    dst: Store,
    dst_path: str,
    *,
    delete: bool = False,
    compare: str = "size-mtime",
    dry_run: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Make ``dst_path`` hold what ``src_path`` holds, copying only changed files.

    ``compare``: ``size-mtime`` copies when the sizes differ or the source is newer,
    ``size`` when the sizes differ, ``digest`` when the content hashes differ (the
    backends' digests when both have one of the same algorithm, else both files hashed).
    ``delete=True`` also removes destination files absent from the source; it is skipped
    when any copy failed. ``dry_run`` lists the outcomes without changing anything.
    """
    check_compare(compare)
    engine = _engine(
        src,
        src_path,
        dst,
        dst_path,
        overwrite=True,
        move=False,
        workers=workers,
        on_progress=on_progress,
    )
    sources = engine.src.list(strict=True)
    plan = plan_sync(sources, engine.dst.list(strict=False), compare, delete)
    skipped = skipped_outcomes(plan)
    if dry_run:  # hashes where the comparison needs them, writes nothing
        engine.dry_run = True
        return dry_run_result(engine.run(plan.copy, skipped), plan)
    outcomes = sorted(engine.run(plan.copy, skipped), key=by_path)
    if plan.delete and all(item.status != "failed" for item in outcomes):
        outcomes += _delete_extra(engine.dst, plan.delete)
    return raise_for_failures(TreeResult(tuple(outcomes)), "sync", engine.src.folder)


def _delete_extra(side: _Side, extra: list[tuple[str, FileInfo]]) -> list[FileOutcome]:
    outcomes = []
    for relative, info in extra:
        try:
            side.store.delete(side.path(relative), missing_ok=True)
        except Exception as exc:
            outcomes.append(
                FileOutcome(relative, "failed", info.size, as_store_error(exc, relative))
            )
        else:
            outcomes.append(FileOutcome(relative, "deleted", info.size))
    return outcomes


def upload_tree(
    local_folder: str | os.PathLike[str],
    store: Store,
    remote_path: str = "",
    *,
    overwrite: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Copy every file below a local folder to ``remote_path`` of ``store``."""
    with local_store(local_folder) as source:
        return copy_tree(
            source,
            "",
            store,
            remote_path,
            overwrite=overwrite,
            workers=workers,
            on_progress=on_progress,
        )


def download_tree(
    store: Store,
    remote_path: str,
    local_folder: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    workers: int | None = None,
    on_progress: Callable[[TreeProgress], object] | None = None,
) -> TreeResult:
    """Copy every file below ``remote_path`` of ``store`` into a local folder (created
    when missing); each file appears whole, through a temporary file and a rename."""
    with local_store(local_folder, must_exist=False) as target:
        return copy_tree(
            store,
            remote_path,
            target,
            "",
            overwrite=overwrite,
            workers=workers,
            on_progress=on_progress,
        )
