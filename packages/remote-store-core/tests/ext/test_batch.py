"""ext.batch: per-path results, bounded thread pool, native bulk delete."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import pytest
from remote_store import InvalidPath, NotFound, Store
from remote_store.backends import MemoryBackend
from remote_store.errors import InvalidArgument
from remote_store.ext import batch
from remote_store.ext.batch import BatchResult, batch_copy, batch_delete, batch_exists
from remote_store.ext.cache import cache


@pytest.fixture
def files(store: Store) -> Store:
    for index in range(20):
        store.write(f"d/f{index:02d}.txt", str(index).encode())
    return store


@pytest.mark.parametrize("concurrent", [False, True])
def test_delete_reports_each_path(files: Store, concurrent: bool) -> None:
    paths = [f"d/f{i:02d}.txt" for i in range(20)] + ["d/missing.txt", "d"]
    result = batch_delete(files, paths, concurrent=concurrent, max_workers=3)
    assert result.succeeded == tuple(paths[:20])
    assert isinstance(result.failed["d/missing.txt"], NotFound)
    assert isinstance(result.failed["d"], InvalidPath)
    assert not result.all_succeeded and result.total == 22
    assert list(files.list_files("d")) == []


def test_missing_ok_and_stop_on_error(files: Store) -> None:
    ok = batch_delete(files, ["nope.txt", "d/f00.txt"], missing_ok=True)
    assert ok.all_succeeded and ok.succeeded == ("nope.txt", "d/f00.txt")
    stopped = batch_delete(files, ["nope.txt", "d/f01.txt"], stop_on_error=True)
    assert list(stopped.failed) == ["nope.txt"] and stopped.succeeded == ()
    assert files.exists("d/f01.txt")


@pytest.mark.parametrize("concurrent", [False, True])
def test_copy(files: Store, concurrent: bool) -> None:
    pairs = [("d/f00.txt", "e/a.txt"), ("d/f01.txt", "e/b.txt"), ("d/zz.txt", "e/c.txt")]
    result = batch_copy(files, pairs, concurrent=concurrent)
    assert result.succeeded == ("d/f00.txt", "d/f01.txt")
    assert isinstance(result.failed["d/zz.txt"], NotFound)
    assert files.read_bytes("e/b.txt") == b"1"
    again = batch_copy(files, pairs[:1])
    assert list(again.failed) == ["d/f00.txt"]
    assert batch_copy(files, pairs[:1], overwrite=True).all_succeeded


@pytest.mark.parametrize("concurrent", [False, True])
def test_exists(files: Store, concurrent: bool) -> None:
    assert batch_exists(files, ["d/f00.txt", "nope", "d"], concurrent=concurrent) == {
        "d/f00.txt": True,
        "nope": False,
        "d": True,
    }
    with pytest.raises(InvalidPath):
        batch_exists(files, ["ok", "../escape"], concurrent=concurrent)


def test_pool_is_bounded(files: Store) -> None:
    running = 0
    peak = 0
    lock = threading.Lock()
    barrier_hit = threading.Event()

    class Counting(Store):
        def exists(self, path: str) -> bool:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            barrier_hit.wait(0.01)
            with lock:
                running -= 1
            return True

    counting = Counting(files.backend, _owns=False)
    batch_exists(counting, (f"p{i}" for i in range(60)), concurrent=True, max_workers=4)
    assert 1 <= peak <= 4


@pytest.mark.parametrize(
    "call",
    [
        lambda s: batch_delete(s, "d/f00.txt"),
        lambda s: batch_delete(s, ["a"], concurrent=True, max_workers=0),
        lambda s: batch_exists(s, 42),  # type: ignore[arg-type]
        lambda s: batch_copy(s, [("only-one",)]),  # type: ignore[list-item]
        lambda s: batch_copy(s, ["ab"]),  # type: ignore[list-item]
    ],
)
def test_bad_input(files: Store, call: object) -> None:
    with pytest.raises(InvalidArgument):
        call(files)  # type: ignore[operator]
    assert files.exists("d/f00.txt")


def test_other_exceptions_propagate(files: Store) -> None:
    class Exploding(Store):
        def delete(self, path: str, *, missing_ok: bool = False) -> None:
            raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        batch_delete(Exploding(files.backend, _owns=False), ["d/f00.txt"])


class BulkMemoryBackend(MemoryBackend):
    """A memory backend offering the optional ``delete_many`` bulk method."""

    def __init__(self) -> None:
        super().__init__()
        self.bulk_calls: list[list[str]] = []

    def delete_many(
        self, keys: Sequence[str], *, missing_ok: bool = False
    ) -> Mapping[str, BaseException | None]:
        self.bulk_calls.append(list(keys))
        outcome: dict[str, BaseException | None] = {}
        for key in keys:
            try:
                self.delete(key, missing_ok=missing_ok)
                outcome[key] = None
            except Exception as exc:
                outcome[key] = exc
        return outcome


def test_native_bulk_delete_is_used_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "DELETE_MANY_BATCH", 4)
    backend = BulkMemoryBackend()
    store = Store(backend, "root")
    for index in range(9):
        store.write(f"f{index}.txt", b"x")
    paths = [f"f{index}.txt" for index in range(9)] + ["gone.txt", "../bad"]
    result = batch_delete(store, paths)
    assert [len(call) for call in backend.bulk_calls] == [4, 4, 2]
    assert backend.bulk_calls[0][0] == "root/f0.txt"  # backend keys, root applied
    assert result.succeeded == tuple(paths[:9])
    assert isinstance(result.failed["gone.txt"], NotFound)
    assert isinstance(result.failed["../bad"], InvalidPath)
    assert list(store.list_files()) == []
    assert batch_delete(store, ["gone.txt"], missing_ok=True).all_succeeded


def test_proxies_get_one_call_per_path() -> None:
    backend = BulkMemoryBackend()
    cached = cache(Store(backend))
    cached.write("a.txt", b"1")
    assert cached.exists("a.txt")
    result = batch_delete(cached, ["a.txt"])
    assert result == BatchResult(("a.txt",), {})
    assert backend.bulk_calls == []
    assert not cached.exists("a.txt")  # the cache saw the delete
