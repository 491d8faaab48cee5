"""Capabilities: what a backend declares it can do."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from remote_store.errors import CapabilityNotSupported

__all__ = ["Capability", "CapabilitySet"]


class Capability(Enum):
    """One thing a backend can do (a method gate) or guarantee (a quality flag)."""

    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    LIST = "list"
    GLOB = "glob"
    MOVE = "move"
    COPY = "copy"
    ATOMIC_WRITE = "atomic_write"
    ATOMIC_MOVE = "atomic_move"
    METADATA = "metadata"
    USER_METADATA = "user_metadata"
    SEEKABLE_READ = "seekable_read"
    LAZY_READ = "lazy_read"
    WRITE_RESULT_NATIVE = "write_result_native"
    #: ``overwrite=False`` is enforced by the storage service itself (create-exclusive),
    #: so two racing writers cannot both succeed. New in this project.
    EXCLUSIVE_CREATE = "exclusive_create"
    #: ``write(..., if_match=etag)`` / ``if_none_match="*"``: the service replaces a file
    #: only while it is still the version the caller saw (compare-and-swap). New.
    CONDITIONAL_WRITE = "conditional_write"
    #: ``delete_many(paths)``: many files deleted in few requests, with per-path outcomes.
    BULK_DELETE = "bulk_delete"

    # Members are singletons compared by identity, so the identity hash is consistent with
    # equality; Enum's default hashes the name in Python code, and every gate pays for it.
    __hash__ = object.__hash__


class CapabilitySet(frozenset[Capability]):
    """An immutable set of capabilities with a gate helper."""

    def __new__(cls, capabilities: Iterable[Capability] = ()) -> CapabilitySet:
        items = frozenset(capabilities)
        for item in items:
            if not isinstance(item, Capability):
                raise TypeError(f"not a Capability: {item!r}")
        return super().__new__(cls, items)

    def supports(self, capability: Capability) -> bool:
        """Whether ``capability`` is in the set."""
        return capability in self

    def require(self, capability: Capability, *, backend: str = "") -> None:
        """Raise :class:`CapabilityNotSupported` unless ``capability`` is in the set."""
        if capability not in self:
            raise not_supported(capability, self, backend)

    def __repr__(self) -> str:
        names = ", ".join(sorted(c.name for c in self))
        return f"CapabilitySet({{{names}}})"


def not_supported(
    capability: Capability, supported: Iterable[Capability], backend: str, path: str | None = None
) -> CapabilityNotSupported:
    """The error for a refused capability, listing what the backend does support."""
    have = ", ".join(sorted(c.value for c in supported)) or "none"
    return CapabilityNotSupported(
        f"backend does not support {capability.value!r} (supported: {have})",
        capability=capability.value,
        path=path,
        backend=backend or None,
    )
