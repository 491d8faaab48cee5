"""Apply delete, copy or exists to many paths at once, reporting failures per path.

Per-path :class:`~remote_store.errors.RemoteStoreError`s are collected in a
:class:`BatchResult`; any other exception propagates. With ``concurrent=True`` the calls
run on a bounded thread pool (at most ``max_workers`` calls in flight, default 8), and
the input is consumed lazily, so a huge iterable of paths is never held at once.

Native bulk operations
----------------------
``batch_delete`` uses :meth:`Store.delete_many` when the backend declares
``BULK_DELETE`` (S3's DeleteObjects: up to 1000 keys a request); otherwise it deletes
one path at a time. The bulk path is used only for a plain :class:`~remote_store.Store`;
proxies (cache, observe...) get one call per path so that they see each deletion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from remote_store._capabilities import Capability
from remote_store._proxy import ProxyStore
from remote_store._store import Store
from remote_store.errors import InvalidArgument, RemoteStoreError

__all__ = [
    "DEFAULT_MAX_WORKERS",
    "DELETE_MANY_BATCH",
    "BatchResult",
    "batch_copy",
    "batch_delete",
    "batch_exists",
]

#: Threads used by ``concurrent=True`` when ``max_workers`` is not given.
DEFAULT_MAX_WORKERS = 8
#: Most keys handed to one ``Backend.delete_many`` call.
DELETE_MANY_BATCH = 1000

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BatchResult:
    """Which paths succeeded (in input order) and the error of each one that failed."""

    succeeded: tuple[str, ...] = ()
    failed: dict[str, RemoteStoreError] = field(default_factory=dict)

    @property
    def all_succeeded(self) -> bool:
        """True when nothing failed."""
        return not self.failed

    @property
    def total(self) -> int:
        """Number of paths attempted."""
        return len(self.succeeded) + len(self.failed)


def _items(values: Iterable[T], what: str) -> Iterable[T]:
    if isinstance(values, (str, bytes)):
        raise InvalidArgument(
            f"{what} must be an iterable of paths, not a single {type(values).__name__}"
        )
    if not isinstance(values, Iterable):
        raise InvalidArgument(f"{what} must be an iterable, not {type(values).__name__}")
    return values


def _workers(max_workers: int | None) -> int:
    if max_workers is None:
        return DEFAULT_MAX_WORKERS
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise InvalidArgument(f"max_workers must be a positive int, got {max_workers!r}")
    return max_workers


def _run_each(
    items: Iterable[T],
    call: Callable[[T], R],
    *,
    concurrent: bool,
    max_workers: int | None,
    stop: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[T, R | RemoteStoreError]]:
    """``(item, result or RemoteStoreError)`` for each item, in input order."""

    def guarded(item: T) -> R | RemoteStoreError:
        try:
            return call(item)
        except RemoteStoreError as exc:
            return exc

    if not concurrent:
        for item in items:
            if stop():
                return
            yield item, guarded(item)
        return
    workers = _workers(max_workers)
    source = iter(items)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="remote-store-batch") as pool:
        pending: list[tuple[T, Future[R | RemoteStoreError]]] = []
        while True:
            if not stop():
                for item in islice(source, 2 * workers - len(pending)):
                    pending.append((item, pool.submit(guarded, item)))
            if not pending:
                return
            wait([pending[0][1]], return_when=FIRST_COMPLETED)
            while pending and pending[0][1].done():
                item, future = pending.pop(0)
                yield item, future.result()  # re-raises a non-RemoteStoreError


def _collect(
    outcomes: Iterable[tuple[str, object]], stop_flag: list[bool], stop_on_error: bool
) -> BatchResult:
    succeeded: list[str] = []
    failed: dict[str, RemoteStoreError] = {}
    for path, outcome in outcomes:
        if isinstance(outcome, RemoteStoreError):
            failed[path] = outcome
            if stop_on_error:
                stop_flag[0] = True
        else:
            succeeded.append(path)
    return BatchResult(tuple(succeeded), failed)


def batch_delete(
    store: Store,
    paths: Iterable[str],
    *,
    missing_ok: bool = False,
    stop_on_error: bool = False,
    concurrent: bool = False,
    max_workers: int | None = None,
) -> BatchResult:
    """Delete every file in ``paths``; the backend's ``delete_many`` is used when present."""
    paths = _items(paths, "paths")
    _workers(max_workers)
    if _bulk_applies(store, stop_on_error):
        return _delete_in_bulk(store, paths, missing_ok)
    stopped = [False]
    outcomes = _run_each(
        paths,
        lambda path: store.delete(path, missing_ok=missing_ok),
        concurrent=concurrent,
        max_workers=max_workers,
        stop=lambda: stopped[0],
    )
    return _collect(outcomes, stopped, stop_on_error)


def _bulk_applies(store: Store, stop_on_error: bool) -> bool:
    """Bulk deletes serve a plain Store (a subclass or proxy that customises ``delete``
    sees every path) and a run that need not stop at the first failure."""
    return (
        Capability.BULK_DELETE in store.capabilities
        and not stop_on_error
        and not isinstance(store, ProxyStore)
        and type(store).delete is Store.delete
    )


def _delete_in_bulk(store: Store, paths: Iterable[str], missing_ok: bool) -> BatchResult:
    succeeded: list[str] = []
    failed: dict[str, RemoteStoreError] = {}
    source = iter(paths)
    while chunk := list(islice(source, DELETE_MANY_BATCH)):
        for path, error in store.delete_many(chunk, missing_ok=missing_ok).items():
            if error is None:
                succeeded.append(path)
            else:
                failed[path] = error
    return BatchResult(tuple(succeeded), failed)


def batch_copy(
    store: Store,
    pairs: Iterable[tuple[str, str]],
    *,
    overwrite: bool = False,
    stop_on_error: bool = False,
    concurrent: bool = False,
    max_workers: int | None = None,
) -> BatchResult:
    """Copy each ``(src, dst)`` pair; results and failures are keyed by ``src``."""
    pairs = _items(pairs, "pairs")
    _workers(max_workers)

    def checked(pair: tuple[str, str]) -> tuple[str, str]:
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise InvalidArgument(f"each pair must be (src, dst), got {pair!r}")
        return pair[0], pair[1]

    stopped = [False]
    outcomes = _run_each(
        (checked(pair) for pair in pairs),
        lambda pair: store.copy(pair[0], pair[1], overwrite=overwrite),
        concurrent=concurrent,
        max_workers=max_workers,
        stop=lambda: stopped[0],
    )
    return _collect(((pair[0], outcome) for pair, outcome in outcomes), stopped, stop_on_error)


def batch_exists(
    store: Store,
    paths: Iterable[str],
    *,
    concurrent: bool = False,
    max_workers: int | None = None,
) -> dict[str, bool]:
    """``{path: store.exists(path)}``; errors are not caught (they propagate)."""
    paths = _items(paths, "paths")
    _workers(max_workers)
    result: dict[str, bool] = {}
    if not concurrent:
        for path in paths:
            result[path] = store.exists(path)
        return result
    for path, outcome in _run_each(paths, store.exists, concurrent=True, max_workers=max_workers):
        if isinstance(outcome, RemoteStoreError):
            raise outcome
        result[path] = outcome
    return result
