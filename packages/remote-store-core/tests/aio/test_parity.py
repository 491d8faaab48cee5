"""Store, AsyncStore, ProxyStore and the middleware offer the same operations with the
same signatures, and the sync and async stores answer the same cases the same way,
through every adapter. The drift cases (a listing beyond the root, a file appearing
while an open_atomic body runs) failed on the hand-written twins before."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import pytest
from remote_store import Capability, CapabilitySet, FileInfo, FolderEntry, ProxyStore, Store
from remote_store.aio import (
    AsyncBackendSyncAdapter,
    AsyncMemoryBackend,
    AsyncProxyStore,
    AsyncStore,
    SyncBackendAdapter,
)
from remote_store.aio.ext.cache import AsyncCachedStore
from remote_store.aio.ext.observe import AsyncObservedStore
from remote_store.backend import RemotePath, WritableContent, WriteResult, iter_content
from remote_store.backends import MemoryBackend
from remote_store.errors import AlreadyExists
from remote_store.ext.cache import CachedStore, cache
from remote_store.ext.observe import ObservedStore, observe

#: Deliberate differences: the async store closes with ``aclose``.
_ASYNC_NAMES = {"close": "aclose"}


def _operations(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, callable)
        if not name.startswith("_")
    }


def _shape(signature: inspect.Signature) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


@pytest.mark.parametrize("other", [AsyncStore, ProxyStore, CachedStore, ObservedStore])
def test_every_store_operation_exists_with_the_same_signature(other: type) -> None:
    reference = _operations(Store)
    found = _operations(other)
    for name, signature in reference.items():
        twin = _ASYNC_NAMES.get(name, name) if other is AsyncStore else name
        assert twin in found, f"{other.__name__} has no {twin}"
        assert _shape(found[twin]) == _shape(signature), f"{other.__name__}.{twin}"


@pytest.mark.parametrize("other", [AsyncProxyStore, AsyncCachedStore, AsyncObservedStore])
def test_every_async_middleware_has_the_async_store_operations(other: type) -> None:
    """Same names, parameters, and awaitability: ``async def`` where AsyncStore has it,
    a plain method returning a stream, listing or context where it does not."""
    reference = _operations(AsyncStore)
    found = _operations(other)
    for name, signature in reference.items():
        assert name in found, f"{other.__name__} has no {name}"
        assert _shape(found[name]) == _shape(signature), f"{other.__name__}.{name}"
        ours, theirs = getattr(other, name), getattr(AsyncStore, name)
        awaited = inspect.iscoroutinefunction(theirs)
        assert inspect.iscoroutinefunction(ours) == awaited, f"{other.__name__}.{name}"


# -- the same cases on every flavour --------------------------------------------------


def _sync_stores() -> dict[str, Callable[[], Store]]:
    return {
        "memory": lambda: Store(MemoryBackend(), root_path="data"),
        "async-memory-bridged": lambda: Store(
            AsyncBackendSyncAdapter(AsyncMemoryBackend()), root_path="data"
        ),
        "memory-cached-observed": lambda: observe(
            cache(Store(MemoryBackend(), root_path="data")), on_any=lambda event: None
        ),
    }


def _async_stores() -> dict[str, Callable[[], AsyncStore]]:
    return {
        "async-memory": lambda: AsyncStore(AsyncMemoryBackend(), root_path="data"),
        "memory-in-threads": lambda: AsyncStore(
            SyncBackendAdapter(MemoryBackend()), root_path="data"
        ),
        "async-memory-cached-observed": lambda: observe(
            cache(AsyncStore(AsyncMemoryBackend(), root_path="data")), on_any=lambda event: None
        ),
    }


_SEED = ["a/1.txt", "a/b/2.txt", "a/b/c/3.txt", "a/bb/4.txt", "a-z/5.txt", "top.txt"]

#: (name, operation, arguments) run on a seeded store; the outcome is compared.
_CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("files", "list_files", ("a",), {}),
    ("files-recursive", "list_files", ("",), {"recursive": True}),
    ("files-depth-1", "list_files", ("a",), {"max_depth": 1}),
    ("files-pattern", "list_files", ("",), {"recursive": True, "pattern": "[0-3].txt"}),
    ("folders", "list_folders", ("",), {}),
    ("folders-deep", "list_folders", ("",), {"max_depth": 5}),
    ("folders-pattern", "list_folders", ("",), {"max_depth": 5, "pattern": "b*"}),
    ("children", "iter_children", ("a",), {}),
    ("folder-info", "get_folder_info", ("a",), {}),
    ("missing-folder-info", "get_folder_info", ("nope",), {}),
    ("exists-folder", "exists", ("a/b",), {}),
    ("is-file-folder", "is_file", ("a/b",), {}),
    ("read-folder", "read_bytes", ("a",), {}),
    ("escape", "read_bytes", ("../outside.txt",), {}),
    ("glob", "glob", ("**/*.txt",), {}),
    ("copy-missing-onto-existing", "copy", ("nope.txt", "top.txt"), {}),
    ("move-folder", "move", ("a", "elsewhere"), {}),
    ("write-existing", "write", ("top.txt", b"x"), {}),
    ("delete-missing", "delete", ("nope.txt",), {}),
    ("delete-folder-not-empty", "delete_folder", ("a",), {}),
    ("delete-many", "delete_many", (["top.txt", "nope.txt"],), {}),
]


def _outcome(value: Any) -> Any:
    if isinstance(value, BaseException):
        return ("error", type(value).__name__)
    if isinstance(value, (FileInfo, FolderEntry)):
        return str(value.path)
    if isinstance(value, list):
        return [_outcome(v) for v in value]
    if isinstance(value, dict):
        return {k: _outcome(v) for k, v in value.items()}
    if hasattr(value, "file_count"):
        return (str(value.path), value.file_count, value.total_size)
    return value


def _run_sync(store: Store, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    for path in _SEED:
        store.write(path, path.encode())
    try:
        value = getattr(store, operation)(*args, **kwargs)
        if isinstance(value, Iterator):
            value = list(value)
    except Exception as exc:
        value = exc
    return _outcome(value)


async def _run_async(
    store: AsyncStore, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    for path in _SEED:
        await store.write(path, path.encode())
    try:
        value = getattr(store, operation)(*args, **kwargs)
        if isinstance(value, AsyncIterator):
            value = [item async for item in value]
        elif inspect.isawaitable(value):
            value = await value
    except Exception as exc:
        value = exc
    return _outcome(value)


@pytest.mark.parametrize(
    ("case", "operation", "args", "kwargs"), _CASES, ids=[c[0] for c in _CASES]
)
def test_sync_and_async_stores_answer_each_case_alike(
    case: str, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    outcomes: dict[str, Any] = {}
    for name, make in _sync_stores().items():
        store = make()
        try:
            outcomes[name] = _run_sync(store, operation, args, kwargs)
        finally:
            store.close()
    for name, make_async in _async_stores().items():

        async def scenario(make_async: Callable[[], AsyncStore] = make_async) -> Any:
            async with make_async() as store:
                return await _run_async(store, operation, args, kwargs)

        outcomes[name] = asyncio.run(scenario())
    first = next(iter(outcomes.values()))
    assert all(o == first for o in outcomes.values()), outcomes


# -- drift cases ----------------------------------------------------------------------


class _ListsBeyondItsFolder(MemoryBackend):
    """A backend whose listings also return an entry of another folder."""

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        yield from super().iter_children(path)
        yield FolderEntry(RemotePath("elsewhere/stray"), "stray")

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        yield from super().list_files(path, recursive=recursive, max_depth=max_depth)
        yield FileInfo(RemotePath("elsewhere/stray.txt"), "stray.txt", 1, None)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        yield from super().list_folders(path)
        yield FolderEntry(RemotePath("elsewhere/strayfolder"), "strayfolder")


def test_no_listing_shows_an_entry_outside_the_store_root() -> None:
    backend = _ListsBeyondItsFolder()
    backend.write("data/in.txt", b"x")
    backend.write("data/sub/deep.txt", b"x")
    store = Store(backend, root_path="data")
    assert [str(e.path) for e in store.iter_children("")] == ["in.txt", "sub"]
    assert [str(e.path) for e in store.list_files("", recursive=True)] == ["in.txt", "sub/deep.txt"]
    assert [str(e.path) for e in store.list_folders("")] == ["sub"]

    async def scenario() -> list[list[str]]:
        async with AsyncStore(SyncBackendAdapter(backend), root_path="data") as astore:
            children = [str(e.path) async for e in astore.iter_children("")]
            files = [str(e.path) async for e in astore.list_files("", recursive=True)]
            folders = [str(e.path) async for e in astore.list_folders("")]
            return [children, files, folders]

    assert asyncio.run(scenario()) == [["in.txt", "sub"], ["in.txt", "sub/deep.txt"], ["sub"]]


class _LastWriterWins(MemoryBackend):
    """A service without create-exclusive writes: ``overwrite=False`` is not enforced,
    so the Store must check (it declares no EXCLUSIVE_CREATE)."""

    CAPABILITIES = CapabilitySet(MemoryBackend.CAPABILITIES - {Capability.EXCLUSIVE_CREATE})

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        data = b"".join(iter_content(content))
        return super().write(path, data, overwrite=True, metadata=metadata)

    write_atomic = write


def test_open_atomic_never_replaces_a_file_that_appeared_during_the_body() -> None:
    backend = _LastWriterWins()
    store = Store(backend)
    with pytest.raises(AlreadyExists):
        with store.open_atomic("report.txt") as sink:
            sink.write(b"mine")
            backend.write("report.txt", b"someone else's")
    assert store.read_bytes("report.txt") == b"someone else's"

    async def scenario() -> bytes:
        async with AsyncStore(SyncBackendAdapter(backend)) as astore:
            with pytest.raises(AlreadyExists):
                async with astore.open_atomic("async.txt") as sink:
                    await sink.write(b"mine")
                    backend.write("async.txt", b"someone else's")
            return await astore.read_bytes("async.txt")

    assert asyncio.run(scenario()) == b"someone else's"
