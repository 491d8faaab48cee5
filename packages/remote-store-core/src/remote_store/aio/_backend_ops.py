"""The backend operations the two sync/async adapters forward, declared once.

:class:`~remote_store.aio.SyncBackendAdapter` (a sync :class:`Backend` used from async
code) and :class:`~remote_store.AsyncBackendSyncAdapter` (an :class:`AsyncBackend` used
from sync code) forward the same operations in opposite directions. Each operation is
listed once in :data:`BACKEND_OPERATIONS` with the kind of result it delivers; each
adapter supplies one builder per kind (how it crosses to the other side) and
:func:`install_forwarders` puts the built methods on a base class of the adapter, named,
documented and signed like the reference class's method (``Backend`` or
``AsyncBackend``). What genuinely differs stays hand-written in the adapters: read
streams, closing, the thread pools or the private loop, cancellation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import Enum
from typing import Any, NamedTuple

__all__ = [
    "BACKEND_OPERATIONS",
    "DERIVED_SYNC_OPERATIONS",
    "HAND_WRITTEN",
    "BackendOperation",
    "Result",
    "arguments",
    "install_forwarders",
]


class Result(Enum):
    """How a backend operation delivers its result (what an adapter carries across)."""

    #: a value: returned (sync) or awaited (async)
    VALUE = "value"
    #: a value from a write whose content may stream (bytes or chunks)
    WRITE = "write"
    #: a listing: an iterator (sync) or an async iterator (async), pulled a page at a time
    LISTING = "listing"
    #: computed without I/O (naming, error mapping): a plain call in both flavours
    LOCAL = "local"
    #: a property read from the wrapped backend (name, capabilities...)
    PROPERTY = "property"


class BackendOperation(NamedTuple):
    """One forwarded operation: its name, its result kind, and the name of an argument
    (an iterable of paths) copied into a list before crossing over, if any."""

    name: str
    result: Result
    listed: str | None = None


def _ops(*operations: BackendOperation) -> dict[str, BackendOperation]:
    return {op.name: op for op in operations}


V, W, L, P = Result.VALUE, Result.WRITE, Result.LISTING, Result.PROPERTY

#: Every operation both adapters forward unchanged, by name.
BACKEND_OPERATIONS: dict[str, BackendOperation] = _ops(
    BackendOperation("name", P),
    BackendOperation("location", P),
    BackendOperation("capabilities", P),
    BackendOperation("folder_semantics", P),
    BackendOperation("in_process_storage", P),
    BackendOperation("read_bytes", V),
    BackendOperation("get_file_info", V),
    BackendOperation("exists", V),
    BackendOperation("is_file", V),
    BackendOperation("is_folder", V),
    BackendOperation("get_folder_info", V),
    BackendOperation("write", W),
    BackendOperation("write_atomic", W),
    BackendOperation("write_conditional", W),
    BackendOperation("delete", V),
    BackendOperation("delete_many", V, listed="paths"),
    BackendOperation("delete_folder", V),
    BackendOperation("move", V),
    BackendOperation("copy", V),
    BackendOperation("list_files", L),
    BackendOperation("list_folders", L),
    BackendOperation("iter_children", L),
    BackendOperation("glob", L),
    BackendOperation("check_health", V),
    BackendOperation("map_error", Result.LOCAL),
    BackendOperation("to_key", Result.LOCAL),
    BackendOperation("native_path", Result.LOCAL),
    BackendOperation("resolve", Result.LOCAL),
)

#: Operations each adapter writes by hand: the read streams, closing, native handles.
HAND_WRITTEN = frozenset({"read", "read_from", "close", "aclose", "unwrap"})

#: ``Backend`` operations with no async counterpart: the sync adapter keeps the
#: ``Backend`` defaults, derived from the forwarded ``read`` and ``write_atomic``.
DERIVED_SYNC_OPERATIONS = frozenset({"read_seekable", "open_atomic"})

#: Builds the forwarding function of a ``VALUE``, ``WRITE`` or ``LISTING`` operation.
Builder = Callable[[BackendOperation], Callable[..., Any]]


def install_forwarders(target: type, reference: type, inner: str, build: Builder) -> None:
    """Put on ``target`` one forwarder per operation of :data:`BACKEND_OPERATIONS`.

    Properties and ``LOCAL`` operations are read or called on the wrapped backend (the
    attribute ``inner`` of the adapter) as they are; the others are built by ``build``.
    Each carries the name, docstring and signature of ``reference``'s member
    (``Backend`` or ``AsyncBackend``).
    """
    for op in BACKEND_OPERATIONS.values():
        declared = getattr(reference, op.name)
        if op.result is Result.PROPERTY:
            getter = functools.wraps(declared.fget, updated=())(_read_property(inner, op.name))
            setattr(target, op.name, property(getter, doc=declared.__doc__))
            continue
        made = _call_local(inner, op.name) if op.result is Result.LOCAL else build(op)
        method = functools.wraps(declared, updated=())(made)
        method.__qualname__ = f"{target.__qualname__}.{op.name}"
        setattr(target, op.name, method)


def _read_property(inner: str, name: str) -> Callable[[Any], Any]:
    def getter(self: Any) -> Any:
        return getattr(getattr(self, inner), name)

    return getter


def _call_local(inner: str, name: str) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(getattr(self, inner), name)(*args, **kwargs)

    return method


def arguments(
    op: BackendOperation, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """``args`` ready to cross over: an iterable of paths copied into a list (in
    ``kwargs`` in place when given by name)."""
    if op.listed is None:
        return args
    if op.listed in kwargs:
        kwargs[op.listed] = list(kwargs[op.listed])
        return args
    return (list(args[0]), *args[1:]) if args else args
