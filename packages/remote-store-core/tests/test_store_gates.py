"""COMPAT 2.2's gate table: each gated method refuses before any I/O when its capability
is missing, and the ungated ones work with no capability at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from remote_store import Capability, CapabilityNotSupported, CapabilitySet, Store
from remote_store.backends import MemoryBackend


class NarrowedMemory(MemoryBackend):
    """A memory backend that declares only the capabilities it is given."""

    def __init__(self, capabilities: set[Capability]) -> None:
        super().__init__()
        self._narrowed = CapabilitySet(capabilities)
        self.calls = 0

    @property
    def capabilities(self) -> CapabilitySet:
        return self._narrowed

    def __getattribute__(self, name: str) -> Any:
        if name in _BACKEND_OPERATIONS:
            object.__setattr__(self, "calls", object.__getattribute__(self, "calls") + 1)
        return object.__getattribute__(self, name)


_BACKEND_OPERATIONS = {
    "read",
    "read_bytes",
    "read_seekable",
    "write",
    "write_atomic",
    "open_atomic",
    "delete",
    "delete_folder",
    "list_files",
    "list_folders",
    "iter_children",
    "glob",
    "move",
    "copy",
    "get_file_info",
    "get_folder_info",
    "is_file",
    "is_folder",
    "exists",
}


def _open_atomic(store: Store) -> None:
    with store.open_atomic("new.txt") as sink:
        sink.write(b"x")


GATES: list[tuple[str, Capability, Callable[[Store], Any]]] = [
    ("read", Capability.READ, lambda s: s.read("f.txt")),
    ("read_bytes", Capability.READ, lambda s: s.read_bytes("f.txt")),
    ("read_text", Capability.READ, lambda s: s.read_text("f.txt")),
    ("read_seekable", Capability.READ, lambda s: s.read_seekable("f.txt")),
    ("write", Capability.WRITE, lambda s: s.write("new.txt", b"x")),
    ("write_text", Capability.WRITE, lambda s: s.write_text("new.txt", "x")),
    ("write_atomic", Capability.ATOMIC_WRITE, lambda s: s.write_atomic("new.txt", b"x")),
    ("open_atomic", Capability.ATOMIC_WRITE, _open_atomic),
    ("delete", Capability.DELETE, lambda s: s.delete("f.txt")),
    ("delete_folder", Capability.DELETE, lambda s: s.delete_folder("d", recursive=True)),
    ("list_files", Capability.LIST, lambda s: s.list_files("")),
    ("list_folders", Capability.LIST, lambda s: s.list_folders("")),
    ("iter_children", Capability.LIST, lambda s: s.iter_children("")),
    ("glob", Capability.GLOB, lambda s: s.glob("*")),
    ("move", Capability.MOVE, lambda s: s.move("f.txt", "g.txt")),
    ("copy", Capability.COPY, lambda s: s.copy("f.txt", "g.txt")),
    ("get_file_info", Capability.METADATA, lambda s: s.get_file_info("f.txt")),
    ("head", Capability.METADATA, lambda s: s.head("f.txt")),
    ("get_folder_info", Capability.METADATA, lambda s: s.get_folder_info("d")),
    ("get_folder_info_depth", Capability.LIST, lambda s: s.get_folder_info("d", max_depth=1)),
    (
        "write_metadata",
        Capability.USER_METADATA,
        lambda s: s.write("new.txt", b"x", metadata={"k": "v"}),
    ),
    (
        "write_atomic_metadata",
        Capability.USER_METADATA,
        lambda s: s.write_atomic("new.txt", b"x", metadata={"k": "v"}),
    ),
    (
        "open_atomic_metadata",
        Capability.USER_METADATA,
        lambda s: s.open_atomic("new.txt", metadata={"k": "v"}),
    ),
]


def _store_without(capability: Capability) -> tuple[Store, NarrowedMemory]:
    backend = NarrowedMemory(set(Capability) - {capability})
    backend.write("f.txt", b"f")
    backend.write("d/e.txt", b"e")
    backend.calls = 0
    return Store(backend), backend


@pytest.mark.parametrize(("method", "capability", "call"), GATES, ids=[g[0] for g in GATES])
def test_missing_capability_refuses_before_any_io(
    method: str, capability: Capability, call: Callable[[Store], Any]
) -> None:
    store, backend = _store_without(capability)
    before = (dict(backend._files), {k: set(v) for k, v in backend._folders.items()})
    with pytest.raises(CapabilityNotSupported) as info:
        call(store)  # listings refuse when called, not when iterated
    assert info.value.capability == capability.value
    assert capability.value in str(info.value)
    assert "supported:" in str(info.value)
    assert info.value.backend == "memory"
    assert backend.calls == 0
    assert (dict(backend._files), {k: set(v) for k, v in backend._folders.items()}) == before


@pytest.mark.parametrize(("method", "capability", "call"), GATES, ids=[g[0] for g in GATES])
def test_declared_capability_lets_the_call_through(
    method: str, capability: Capability, call: Callable[[Store], Any]
) -> None:
    backend = MemoryBackend()
    backend.write("f.txt", b"f")
    backend.write("d/e.txt", b"e")
    store = Store(backend)
    if method == "glob":
        pytest.skip("memory has no GLOB; local covers it")
    assert store.supports(capability)
    result = call(store)  # must not raise CapabilityNotSupported
    if hasattr(result, "__next__"):
        list(result)


UNGATED: dict[str, Callable[[Store], Any]] = {
    "exists": lambda s: s.exists("f.txt"),
    "is_file": lambda s: s.is_file("f.txt"),
    "is_folder": lambda s: s.is_folder("d"),
    "ping": lambda s: s.ping(),
    "child": lambda s: s.child("d"),
    "resolve": lambda s: s.resolve("f.txt"),
    "native_path": lambda s: s.native_path("f.txt"),
    "to_key": lambda s: s.to_key("f.txt"),
    "supports": lambda s: s.supports(Capability.READ),
    "close": lambda s: s.close(),
}


@pytest.mark.parametrize("method", sorted(UNGATED))
def test_ungated_methods_work_without_any_capability(method: str) -> None:
    backend = NarrowedMemory(set())
    backend.write("f.txt", b"f")
    backend.write("d/e.txt", b"e")
    store = Store(backend)
    UNGATED[method](store)
    assert store.exists("f.txt") is True
    assert store.is_folder("d") is True


def test_unwrap_without_native_handle_is_capability_not_supported() -> None:
    store = Store(MemoryBackend())
    with pytest.raises(CapabilityNotSupported) as info:
        store.unwrap(int)
    assert info.value.capability == "unwrap"
    assert store.unwrap(MemoryBackend) is store.backend


def test_capability_set_helpers() -> None:
    caps = CapabilitySet({Capability.READ, Capability.LIST})
    assert caps.supports(Capability.READ)
    assert Capability.LIST in caps and len(caps) == 2
    caps.require(Capability.READ)
    with pytest.raises(CapabilityNotSupported) as info:
        caps.require(Capability.WRITE, backend="x")
    assert info.value.capability == "write"
    assert info.value.backend == "x"
    assert "list, read" in str(info.value)
    assert repr(caps) == "CapabilitySet({LIST, READ})"
    with pytest.raises(TypeError):
        CapabilitySet({"read"})  # type: ignore[arg-type]
    with pytest.raises(CapabilityNotSupported, match="none"):
        CapabilitySet().require(Capability.READ)


def test_capability_values_are_the_027_strings() -> None:
    assert {c.value for c in Capability} == {
        "read",
        "write",
        "delete",
        "list",
        "glob",
        "move",
        "copy",
        "atomic_write",
        "atomic_move",
        "metadata",
        "user_metadata",
        "seekable_read",
        "lazy_read",
        "write_result_native",
    } | {"exclusive_create", "conditional_write", "bulk_delete"}  # new in this project
