"""What the folder operations of ``ext.tree`` and ``aio.ext.tree`` share: outcome and
progress models, folder-path normalisation, the sync comparison and worker defaults."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from remote_store._models import FileInfo
from remote_store._path import normalize_key
from remote_store.errors import InvalidArgument, RemoteStoreError, TreeTransferError

__all__ = [
    "COMPARE_MODES",
    "FileCounter",
    "FileOutcome",
    "ProgressTracker",
    "TreeProgress",
    "TreeResult",
    "as_store_error",
    "check_workers",
    "default_workers",
    "differs",
    "join",
    "normalize_folder",
    "raise_for_failures",
    "relative_listing",
]

Status = Literal["copied", "moved", "skipped", "deleted", "failed"]

#: How ``sync`` decides that a file changed: ``size-mtime`` (sizes differ or the source is
#: newer), ``size`` (sizes differ), ``digest`` (content hashes differ).
COMPARE_MODES = ("size-mtime", "size", "digest")
MTIME_WINDOW = timedelta(seconds=1)
"""How much newer a source must be than its copy for ``size-mtime`` to copy it again."""

#: Backend types served from this machine: threads add little, so fewer workers.
_LOCAL_TYPES = frozenset({"local", "memory"})
LOCAL_WORKERS = 4
REMOTE_WORKERS = 8


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file: ``path`` is relative to the source folder (to the
    destination folder for ``deleted``); ``error`` is set when ``status == "failed"``."""

    path: str
    status: Status
    size: int = 0
    error: RemoteStoreError | None = None


@dataclass(frozen=True, slots=True)
class TreeProgress:
    """A snapshot passed to ``on_progress``: files and bytes done out of the totals."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    files_failed: int = 0
    current: str | None = None


@dataclass(frozen=True, slots=True)
class TreeResult:
    """The outcome of every file of a folder operation, in source path order."""

    outcomes: tuple[FileOutcome, ...] = ()
    dry_run: bool = False

    def _with(self, status: str) -> list[FileOutcome]:
        return [item for item in self.outcomes if item.status == status]

    @property
    def copied(self) -> list[FileOutcome]:
        """Files written to the destination (copied or moved)."""
        return [item for item in self.outcomes if item.status in ("copied", "moved")]

    @property
    def skipped(self) -> list[FileOutcome]:
        """Files left alone because the destination already had them (``sync``)."""
        return self._with("skipped")

    @property
    def deleted(self) -> list[FileOutcome]:
        """Destination files removed by ``sync(delete=True)``."""
        return self._with("deleted")

    @property
    def failed(self) -> list[FileOutcome]:
        """Files that failed, each with its typed error."""
        return self._with("failed")

    @property
    def bytes_copied(self) -> int:
        """Bytes of the files written to the destination."""
        return sum(item.size for item in self.copied)

    @property
    def ok(self) -> bool:
        """Whether no file failed."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary with every outcome."""
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "copied": len(self.copied),
            "skipped": len(self.skipped),
            "deleted": len(self.deleted),
            "failed": len(self.failed),
            "bytes": self.bytes_copied,
            "files": [
                {
                    "path": item.path,
                    "status": item.status,
                    "size": item.size,
                    **(
                        {"error": type(item.error).__name__, "message": str(item.error)}
                        if item.error is not None
                        else {}
                    ),
                }
                for item in self.outcomes
            ],
        }


ProgressHandler = Callable[[TreeProgress], object]


class ProgressTracker:
    """Thread-safe counters behind ``on_progress``; a file never counts more than its size
    (a retried upload re-reads its body)."""

    def __init__(self, files: Iterable[FileInfo], handler: ProgressHandler | None) -> None:
        if handler is not None and not callable(handler):
            raise InvalidArgument("on_progress must be callable")
        sizes = [info.size for info in files]
        self._handler = handler
        self._lock = threading.Lock()
        self.files_total = len(sizes)
        self.bytes_total = sum(sizes)
        self.files_done = 0
        self.files_failed = 0
        self.bytes_done = 0

    def chunk_counter(self, path: str, size: int) -> FileCounter:
        """A ``callback(n)`` for one file's stream; ``finish(ok)`` closes the file."""
        return FileCounter(self, path, size)

    def _update(self, path: str, added: int, files: int, failed: int) -> None:
        with self._lock:
            self.bytes_done += added
            self.files_done += files
            self.files_failed += failed
            snapshot = TreeProgress(
                self.files_done,
                self.files_total,
                self.bytes_done,
                self.bytes_total,
                self.files_failed,
                path,
            )
            if self._handler is not None:
                self._handler(snapshot)


class FileCounter:
    """Counts one file's bytes into a :class:`ProgressTracker`, never past its size."""

    def __init__(self, tracker: ProgressTracker, path: str, size: int) -> None:
        self._tracker, self._path, self._size = tracker, path, size
        self._seen = 0

    def __call__(self, count: int) -> None:
        step = max(0, min(count, self._size - self._seen))
        if step:
            self._seen += step
            self._tracker._update(self._path, step, 0, 0)

    def finish(self, ok: bool) -> None:
        """The file is done: on success its remaining bytes count too."""
        remainder = self._size - self._seen if ok else 0
        self._seen = self._size
        self._tracker._update(self._path, remainder, 1, 0 if ok else 1)


def normalize_folder(path: str) -> str:
    """A store-relative folder path, ``""`` for the root; ``..`` raises ``InvalidPath``."""
    if not isinstance(path, str):
        raise InvalidArgument(f"folder path must be a str, not {type(path).__name__}")
    if path.replace("\\", "/").strip("/") in ("", "."):
        return ""
    return normalize_key(path)


def join(folder: str, relative: str) -> str:
    """``folder/relative`` (``relative`` alone at the root, ``folder`` for ``""``)."""
    if not relative:
        return folder
    return f"{folder}/{relative}" if folder else relative


def relative_listing(files: Iterable[FileInfo], folder: str) -> dict[str, FileInfo]:
    """The files of a recursive listing of ``folder``, keyed by their path below it."""
    cut = len(folder) + 1 if folder else 0
    return {str(info.path)[cut:]: info for info in files}


def differs(src: FileInfo, dst: FileInfo, compare: str) -> bool | None:
    """Whether ``sync`` must copy ``src`` over ``dst``; ``None``: hash both to know."""
    if src.size != dst.size:
        return True
    if compare == "size":
        return False
    if compare == "digest":
        left, right = src.digest, dst.digest
        if left is not None and right is not None and left.algorithm == right.algorithm:
            return left.value != right.value
        return None
    if src.modified_at is None or dst.modified_at is None:
        return True  # nothing to compare: copying is the safe answer
    # The two times come from different clocks (a coarse file-system clock, a server's
    # whole-second LastModified, a skewed host), so "newer" means newer by more than the
    # window; within it a copy made just after its source would look stale forever.
    return src.modified_at - dst.modified_at > MTIME_WINDOW


def check_compare(compare: str) -> None:
    """Refuse an unknown comparison mode."""
    if compare not in COMPARE_MODES:
        raise InvalidArgument(f"compare must be one of {COMPARE_MODES}, got {compare!r}")


def default_workers(*backend_names: str) -> int:
    """Concurrency sized for the backends: fewer threads when every side is local."""
    if all(name in _LOCAL_TYPES for name in backend_names):
        return LOCAL_WORKERS
    return REMOTE_WORKERS


def check_workers(workers: int | None, *backend_names: str) -> int:
    """``workers`` validated, or the default for the backends."""
    if workers is None:
        return default_workers(*backend_names)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidArgument(f"workers must be a positive int, got {workers!r}")
    return workers


def as_store_error(exc: BaseException, path: str) -> RemoteStoreError:
    """``exc`` itself when typed, else a :class:`RemoteStoreError` naming it."""
    if isinstance(exc, RemoteStoreError):
        return exc
    error = RemoteStoreError(f"{type(exc).__name__}: {exc}", path=path)
    error.__cause__ = exc
    return error


def raise_for_failures(result: TreeResult, operation: str, folder: str) -> TreeResult:
    """``result``, or :class:`TreeTransferError` carrying every failure when any file failed."""
    failed = result.failed
    if not failed:
        return result
    first = failed[0]
    message = (
        f"{operation}: {len(failed)} of {len(result.outcomes)} file(s) failed "
        f"(first: {first.path}: {type(first.error).__name__})"
    )
    failures = {item.path: item.error for item in failed if item.error is not None}
    raise TreeTransferError(message, failures=failures, result=result, path=folder or ".")


@dataclass
class Plan:
    """What a folder operation will do: files to copy (with whether to hash first), files
    already in place, destination files to delete."""

    copy: list[tuple[str, FileInfo, FileInfo | None]] = field(default_factory=list)
    skip: list[tuple[str, FileInfo]] = field(default_factory=list)
    delete: list[tuple[str, FileInfo]] = field(default_factory=list)


def plan_sync(
    sources: dict[str, FileInfo], targets: dict[str, FileInfo], compare: str, delete: bool
) -> Plan:
    """Split the files into copy / skip / delete by :func:`differs`; a copy entry keeps
    the destination's info when the decision needs hashing (``differs`` gave None)."""
    plan = Plan()
    for relative, info in sorted(sources.items()):
        existing = targets.get(relative)
        if existing is None:
            plan.copy.append((relative, info, None))
            continue
        verdict = differs(info, existing, compare)
        if verdict is False:
            plan.skip.append((relative, info))
        else:
            plan.copy.append((relative, info, existing if verdict is None else None))
    if delete:
        plan.delete = [(rel, info) for rel, info in sorted(targets.items()) if rel not in sources]
    return plan
