"""The plugin SDK's promises: declared capabilities have methods, native not-found
errors answer "no", conditional writes and bulk deletes behave the same everywhere,
and the typed errors are also the builtins callers already catch."""

from __future__ import annotations

import asyncio
import inspect
import io
import pickle
import threading

import pytest
import remote_store.aio.backend as async_sdk
import remote_store.backend as sdk
from remote_store import Store
from remote_store.aio import AsyncMemoryBackend, AsyncStore, SyncBackendAdapter
from remote_store.backends import MemoryBackend
from remote_store.errors import (
    AlreadyExists,
    CapabilityNotSupported,
    InvalidArgument,
    InvalidPath,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RemoteStoreError,
)
from remote_store.ext.batch import batch_delete


class _NativeErrors(sdk.Backend):
    """Raises the platform's own errors, as a quick third-party backend would."""

    CAPABILITIES = sdk.CapabilitySet({sdk.Capability.READ, sdk.Capability.METADATA})

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    @property
    def name(self) -> str:
        return "native"

    def read(self, path: str) -> io.BytesIO:
        return io.BytesIO(self.files[path])

    def get_file_info(self, path: str) -> sdk.FileInfo:
        if path not in self.files:
            raise FileNotFoundError(2, "No such file", path)
        return sdk.FileInfo(sdk.RemotePath(path), path, len(self.files[path]), None)


def test_every_sdk_name_is_exported_and_documented() -> None:
    for module in (sdk, async_sdk):
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert getattr(value, "__doc__", None), f"{module.__name__}.{name} has no docstring"
    assert set(sdk.__all__) <= set(async_sdk.__all__)


def test_a_declared_capability_without_its_method_is_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match="bulk_delete: delete_many"):

        class _Claims(MemoryBackend):
            CAPABILITIES = sdk.CapabilitySet({*MemoryBackend.CAPABILITIES})
            delete_many = sdk.Backend.delete_many

    with pytest.raises(TypeError, match="write: write"):

        class _ClaimsWrite(_NativeErrors):
            CAPABILITIES = sdk.CapabilitySet({sdk.Capability.READ, sdk.Capability.WRITE})

    with pytest.raises(TypeError, match="conditional_write: write_conditional"):

        class _ClaimsAsync(AsyncMemoryBackend):
            write_conditional = async_sdk.AsyncBackend.write_conditional


def test_default_queries_treat_a_native_not_found_as_no() -> None:
    backend = _NativeErrors({"a.txt": b"x"})
    assert backend.is_file("a.txt") and backend.exists("a.txt")
    assert not backend.is_file("missing.txt")
    assert not backend.exists("missing.txt")
    store = Store(backend)
    assert not store.exists("missing.txt")
    with pytest.raises(NotFound):
        store.get_file_info("missing.txt")


def test_default_queries_still_raise_a_real_failure() -> None:
    class _Down(_NativeErrors):
        def get_file_info(self, path: str) -> sdk.FileInfo:
            raise ConnectionRefusedError(111, "refused")

    with pytest.raises(sdk.BackendUnavailable):
        Store(_Down({})).exists("a.txt")


def test_default_glob_lists_in_order_when_glob_is_declared() -> None:
    class _Globs(MemoryBackend):
        CAPABILITIES = sdk.CapabilitySet({*MemoryBackend.CAPABILITIES, sdk.Capability.GLOB})

    store = Store(_Globs())
    for path in ("b/2.csv", "a/1.csv", "a/x/3.csv", "a/skip.txt"):
        store.write(path, b"x")
    assert [str(i.path) for i in store.glob("**/*.csv")] == ["a/1.csv", "a/x/3.csv", "b/2.csv"]
    with pytest.raises(CapabilityNotSupported):
        Store(MemoryBackend()).glob("*")


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (NotFound, FileNotFoundError),
        (AlreadyExists, FileExistsError),
        (PermissionDenied, PermissionError),
        (InvalidArgument, ValueError),
    ],
)
def test_typed_errors_are_the_builtins_callers_already_catch(
    error: type[RemoteStoreError], builtin: type[BaseException]
) -> None:
    raised = error("boom", path="p/q.txt", backend="memory")
    assert isinstance(raised, builtin)
    assert str(raised) == "boom | path='p/q.txt' | backend='memory'"
    copy = pickle.loads(pickle.dumps(raised))
    assert type(copy) is error and copy.path == "p/q.txt" and str(copy) == str(raised)


def test_store_errors_can_be_caught_as_builtins() -> None:
    store = Store(MemoryBackend())
    with pytest.raises(FileNotFoundError):
        store.read_bytes("missing.txt")
    store.write("a.txt", b"x")
    with pytest.raises(FileExistsError):
        store.write("a.txt", b"y")


def test_conditional_write_compares_and_swaps_on_memory() -> None:
    store = Store(MemoryBackend())
    store.write("c.txt", b"one")
    etag = store.get_file_info("c.txt").etag
    assert etag and store.head("c.txt").etag == etag
    newer = store.write("c.txt", b"two", if_match=etag).etag
    assert newer and newer != etag and store.get_file_info("c.txt").etag == newer
    with pytest.raises(PreconditionFailed):
        store.write("c.txt", b"three", if_match=etag)
    assert store.read_bytes("c.txt") == b"two"
    with pytest.raises(PreconditionFailed):
        store.write("c.txt", b"x", if_none_match="*")
    store.write("d.txt", io.BytesIO(b"streamed"), if_none_match="*")
    assert store.read_bytes("d.txt") == b"streamed"


def test_conditional_write_is_refused_before_io_without_the_capability() -> None:
    class _Undeclared(MemoryBackend):
        CAPABILITIES = sdk.CapabilitySet(
            set(MemoryBackend.CAPABILITIES)
            - {sdk.Capability.CONDITIONAL_WRITE, sdk.Capability.BULK_DELETE}
        )

    store = Store(_Undeclared())
    with pytest.raises(CapabilityNotSupported) as caught:
        store.write("c.txt", b"x", if_match="etag")
    assert caught.value.capability == "conditional_write"
    assert not store.exists("c.txt")
    with pytest.raises(CapabilityNotSupported) as bulk:
        store.delete_many(["c.txt"])
    assert bulk.value.capability == "bulk_delete"


def test_delete_many_splits_into_batches_of_at_most_1000_keys() -> None:
    seen: list[int] = []

    class _Counting(MemoryBackend):
        def delete_many(self, paths, *, missing_ok=False):  # type: ignore[no-untyped-def]
            seen.append(len(paths))
            return super().delete_many(paths, missing_ok=missing_ok)

    store = Store(_Counting())
    paths = [f"f/{i:04d}" for i in range(2345)]
    for path in paths:
        store.write(path, b"")
    outcomes = store.delete_many(iter(paths))
    assert seen == [1000, 1000, 345]
    assert list(outcomes) == paths and set(outcomes.values()) == {None}
    assert list(store.list_files("f")) == []


def test_delete_many_reports_duplicates_and_spellings_once_each() -> None:
    store = Store(MemoryBackend())
    store.write("a.txt", b"x")
    outcomes = store.delete_many(["a.txt", "./a.txt", "a.txt", "../etc/passwd"])
    assert outcomes["a.txt"] is None and outcomes["./a.txt"] is None
    assert isinstance(outcomes["../etc/passwd"], InvalidPath)


def test_batch_delete_uses_bulk_and_keeps_per_path_outcomes() -> None:
    store = Store(MemoryBackend())
    store.write("a.txt", b"x")
    result = batch_delete(store, ["a.txt", "nope.txt"])
    assert result.succeeded == ("a.txt",)
    assert isinstance(result.failed["nope.txt"], NotFound)


def test_async_store_and_both_adapters_carry_the_new_operations() -> None:
    async def scenario(store: AsyncStore) -> None:
        await store.write("c.txt", b"one")
        etag = (await store.get_file_info("c.txt")).etag
        assert etag
        await store.write("c.txt", b"two", if_match=etag)
        with pytest.raises(PreconditionFailed):
            await store.write("c.txt", b"three", if_match=etag)
        assert await store.read_bytes("c.txt") == b"two"
        outcomes = await store.delete_many(["c.txt", "missing.txt"])
        assert outcomes["c.txt"] is None and isinstance(outcomes["missing.txt"], NotFound)

    asyncio.run(scenario(AsyncStore(AsyncMemoryBackend())))
    asyncio.run(scenario(AsyncStore(SyncBackendAdapter(MemoryBackend()))))

    from remote_store.aio import AsyncBackendSyncAdapter

    bridged = Store(AsyncBackendSyncAdapter(AsyncMemoryBackend()))
    try:
        bridged.write("c.txt", b"one")
        assert bridged.get_file_info("c.txt").etag
        with pytest.raises(PreconditionFailed):
            bridged.write("c.txt", b"x", if_none_match="*")
        assert bridged.delete_many(["c.txt"]) == {"c.txt": None}
    finally:
        bridged.close()


def test_memory_conditional_race_has_one_winner_per_round() -> None:
    store = Store(MemoryBackend())
    for round_number in range(20):
        store.write("r.txt", b"base", overwrite=True)
        etag = store.get_file_info("r.txt").etag
        assert etag
        wins: list[int] = []
        start = threading.Barrier(8)

        def attempt(
            index: int,
            etag: str = etag,
            wins: list[int] = wins,
            start: threading.Barrier = start,
        ) -> None:
            start.wait()
            try:
                store.write("r.txt", bytes([index]), if_match=etag)
            except PreconditionFailed:
                return
            wins.append(index)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(wins) == 1, f"round {round_number}: {wins}"
        assert store.read_bytes("r.txt") == bytes(wins)
