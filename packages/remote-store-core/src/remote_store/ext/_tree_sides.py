"""The I/O-free half of the folder operations, one copy for ``ext.tree`` and
``aio.ext.tree``: the two sides of a transfer, the nesting check, the local-folder check,
the job list and the shape of a dry run's result. Only the awaiting differs between the
sync and async modules."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from remote_store._models import FileInfo
from remote_store.errors import InvalidArgument, InvalidPath, NotFound
from remote_store.ext._tree_plan import FileOutcome, Plan, TreeResult, join, normalize_folder

__all__ = [
    "Job",
    "Side",
    "by_path",
    "check_local_folder",
    "check_not_nested",
    "copy_jobs",
    "dry_run_result",
    "skipped_outcomes",
]

Job = tuple[str, FileInfo, FileInfo | None]


class _AnyStore(Protocol):
    """What the sides need of a Store or an AsyncStore."""

    @property
    def root_path(self) -> str: ...

    @property
    def backend(self) -> object: ...


StoreT = TypeVar("StoreT", bound=_AnyStore)


class Side(Generic[StoreT]):
    """A store and a folder in it; paths below the folder are relative names."""

    def __init__(self, store: StoreT, folder: str, expected: type[StoreT]) -> None:
        if not isinstance(store, expected):
            article = "an" if expected.__name__[0] in "AEIOU" else "a"
            raise InvalidArgument(
                f"expected {article} {expected.__name__}, not {type(store).__name__}"
            )
        self.store = store
        self.folder = normalize_folder(folder)

    def path(self, relative: str) -> str:
        """The store path of a file below the folder."""
        return join(self.folder, relative)

    def key(self, relative: str) -> str:
        """The backend key (the store root included)."""
        return join(self.store.root_path, self.path(relative))

    @property
    def backend_name(self) -> str:
        """The backend's type name (it picks the default worker count)."""
        return str(getattr(self.store.backend, "name", ""))


def check_not_nested(src: Side[StoreT], dst: Side[StoreT]) -> None:
    """Refuse a destination inside the source within one backend (endless recursion)."""
    if src.store.backend is not dst.store.backend:
        return
    src_key, dst_key = src.key("").rstrip("/"), dst.key("").rstrip("/")
    if dst_key == src_key or dst_key.startswith(src_key + "/") or not src_key:
        raise InvalidArgument(
            "destination folder is the source folder or inside it", path=dst.folder or "."
        )


def check_local_folder(folder: str | os.PathLike[str], *, must_exist: bool) -> Path:
    """A local folder for upload/download: never a file; present when ``must_exist``."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise InvalidPath("local path is not a folder", path=str(path), backend="local")
    if must_exist and not path.is_dir():
        raise NotFound("local folder not found", path=str(path), backend="local")
    return path


def copy_jobs(sources: Mapping[str, FileInfo]) -> list[Job]:
    """One job per source file, in path order, none with an existing destination."""
    return [(relative, info, None) for relative, info in sorted(sources.items())]


def skipped_outcomes(plan: Plan) -> list[FileOutcome]:
    """The files a sync leaves alone, decided without I/O."""
    return [FileOutcome(relative, "skipped", info.size) for relative, info in plan.skip]


def dry_run_result(planned: list[FileOutcome], plan: Plan) -> TreeResult:
    """What a dry run reports: the copies it would make, then the deletions."""
    removed = [FileOutcome(relative, "deleted", info.size) for relative, info in plan.delete]
    return TreeResult(tuple(sorted(planned, key=by_path) + removed), True)


def by_path(outcome: FileOutcome) -> str:
    """Sort key of outcomes."""
    return outcome.path
