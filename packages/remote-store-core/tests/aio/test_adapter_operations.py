"""Both sync/async adapters forward every operation of Backend / AsyncBackend, with the
reference's signature and awaitability, from the one list in ``aio._backend_ops``."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from remote_store import Capability, Store
from remote_store.aio import (
    AsyncBackendSyncAdapter,
    AsyncMemoryBackend,
    AsyncStore,
    SyncBackendAdapter,
)
from remote_store.aio._backend_ops import (
    BACKEND_OPERATIONS,
    DERIVED_SYNC_OPERATIONS,
    HAND_WRITTEN,
)
from remote_store.aio.backend import AsyncBackend
from remote_store.backend import Backend, FileInfo
from remote_store.backends import MemoryBackend

#: Each adapter with the class whose operations it must offer.
ADAPTERS: dict[type, type] = {AsyncBackendSyncAdapter: Backend, SyncBackendAdapter: AsyncBackend}


def _members(cls: type) -> dict[str, Any]:
    """Public methods and properties of ``cls``, by name (lifecycle dunders aside)."""
    return {
        name: inspect.getattr_static(cls, name)
        for name in dir(cls)
        if not name.startswith("_") and name.upper() != name
    }


def _shape(member: Any) -> Any:
    if isinstance(member, property):
        return "property"
    function = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
    signature = inspect.signature(function)
    parameters = [(p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()]
    return parameters, inspect.iscoroutinefunction(function)


def _fits(ours: Any, theirs: Any) -> bool:
    """The same shape; extra trailing parameters with defaults are allowed
    (``AsyncBackendSyncAdapter.close(timeout=30.0)``)."""
    if ours == "property" or theirs == "property":
        return bool(ours == theirs)
    (our_parameters, our_await), (their_parameters, their_await) = ours, theirs
    extra = our_parameters[len(their_parameters) :]
    return (
        our_await == their_await
        and our_parameters[: len(their_parameters)] == their_parameters
        and all(default is not inspect.Parameter.empty for _, _, default, _ in extra)
    )


def _missing(adapter: type, reference: type) -> list[str]:
    """Operations of ``reference`` that ``adapter`` lacks, inherits unforwarded from
    ``reference``, or offers with another signature or awaitability."""
    problems = []
    ours = _members(adapter)
    for name, member in _members(reference).items():
        if name in DERIVED_SYNC_OPERATIONS and reference is Backend:
            continue  # derived by Backend itself from the forwarded operations
        if name not in ours:
            problems.append(f"{name}: absent")
        elif ours[name] is member:
            problems.append(f"{name}: inherited, not forwarded")
        elif not _fits(_shape(ours[name]), _shape(member)):
            problems.append(f"{name}: {_shape(ours[name])} != {_shape(member)}")
    return problems


@pytest.mark.parametrize("adapter", list(ADAPTERS), ids=lambda cls: cls.__name__)
def test_every_backend_operation_is_forwarded_with_its_signature(adapter: type) -> None:
    assert _missing(adapter, ADAPTERS[adapter]) == []


def test_every_operation_is_declared_once_or_written_by_hand() -> None:
    """A new operation on Backend or AsyncBackend must join the list (or be marked)."""
    known = set(BACKEND_OPERATIONS) | HAND_WRITTEN | DERIVED_SYNC_OPERATIONS
    for reference in (Backend, AsyncBackend):
        assert set(_members(reference)) - known == set(), reference.__name__
    for name in HAND_WRITTEN:
        assert any(name in vars(adapter) for adapter in ADAPTERS), name


def test_the_check_sees_a_missing_operation() -> None:
    class Partial(Backend):
        @property
        def name(self) -> str:
            return "partial"

        def read(self, path: str) -> Any:
            raise NotImplementedError

        def get_file_info(self, path: str) -> FileInfo:
            raise NotImplementedError

        def exists(self, key: str) -> bool:
            return False

    problems = _missing(Partial, Backend)
    assert "read_bytes: inherited, not forwarded" in problems
    assert any(p.startswith("exists: ") for p in problems)
    assert "read: " not in " ".join(problems)


def _paths() -> Iterator[str]:
    yield from ("a.txt", "gone.txt")


def test_both_adapters_copy_a_generator_of_paths_before_crossing_over() -> None:
    sync_side = AsyncBackendSyncAdapter(AsyncMemoryBackend())
    try:
        sync_side.write("a.txt", b"x")
        outcome = sync_side.delete_many(paths=_paths(), missing_ok=True)  # type: ignore[arg-type]
        assert outcome == {"a.txt": None, "gone.txt": None}
        assert not sync_side.exists("a.txt")
    finally:
        sync_side.close()

    async def scenario() -> None:
        async with SyncBackendAdapter(MemoryBackend()) as async_side:
            await async_side.write("a.txt", b"x")
            outcome = await async_side.delete_many(_paths(), missing_ok=True)
            assert outcome == {"a.txt": None, "gone.txt": None}
            assert not await async_side.exists("a.txt")

    asyncio.run(scenario())


def test_forwarded_properties_and_names_come_from_the_wrapped_backend() -> None:
    inner = MemoryBackend()
    async_side = SyncBackendAdapter(inner)
    assert async_side.name == inner.name and async_side.capabilities == inner.capabilities
    assert async_side.resolve("a/b") == inner.resolve("a/b")
    sync_side = AsyncBackendSyncAdapter(AsyncMemoryBackend())
    try:
        assert sync_side.folder_semantics == sync_side.async_backend.folder_semantics
        assert Capability.WRITE in sync_side.capabilities
        assert Store(sync_side).unwrap(AsyncMemoryBackend) is sync_side.async_backend
    finally:
        sync_side.close()
    assert isinstance(AsyncStore(inner), AsyncStore)
