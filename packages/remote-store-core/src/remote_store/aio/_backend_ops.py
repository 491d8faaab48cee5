"""The backend operations the two sync/async adapters forward, declared once.

:class:`~remote_store.aio.SyncBackendAdapter` (a sync :class:`Backend` used from async
code) and :class:`~remote_store.AsyncBackendSyncAdapter` (an :class:`AsyncBackend` used
from sync code) forward the same operations in opposite directions. Each operation is
listed once in :data:`BACKEND_OPERATIONS` with the kind of result it delivers, and
:func:`install_forwarders` builds each adapter's base class from that list
(:class:`ForwardsToAsync`, :class:`ForwardsToSync`): every method is named, documented
and signed like the reference class's (``Backend`` or ``AsyncBackend``) and hands the
wrapped backend's method to one of three crossings the adapter writes once: ``_call``
(a value), ``_write`` (content that may stream) and ``_listing`` (pulled a page at a
time). What genuinely differs stays hand-written in the adapters: those crossings, read
streams, closing, the thread pools or the private loop, cancellation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from remote_store._backend import Backend
from remote_store.aio._backend import AsyncBackend

if TYPE_CHECKING:  # pragma: no cover
    from remote_store._models import FileInfo

__all__ = [
    "BACKEND_OPERATIONS",
    "DERIVED_SYNC_OPERATIONS",
    "HAND_WRITTEN",
    "BackendOperation",
    "ForwardsToAsync",
    "ForwardsToSync",
    "Result",
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

#: The adapter method that carries each kind of operation across (see the mixins).
_HOPS = {Result.VALUE: "_call", Result.WRITE: "_write", Result.LISTING: "_listing"}


def install_forwarders(target: type, reference: type, inner: str, *, awaited: bool) -> None:
    """Put on ``target`` one forwarder per operation of :data:`BACKEND_OPERATIONS`.

    Properties and ``LOCAL`` operations are read or called on the wrapped backend (the
    adapter's attribute ``inner``) as they are. The others hand the wrapped backend's
    method and the arguments to the adapter's ``_call``, ``_write`` or ``_listing``;
    ``awaited``: the forwarders of values and writes are ``async def``. Each carries
    the name, docstring and signature of ``reference``'s member (``Backend`` or
    ``AsyncBackend``).
    """
    for op in BACKEND_OPERATIONS.values():
        declared = getattr(reference, op.name)
        if op.result is Result.PROPERTY:
            getter = functools.wraps(declared.fget, updated=())(_read_property(inner, op.name))
            setattr(target, op.name, property(getter, doc=declared.__doc__))
            continue
        if op.result is Result.LOCAL:
            made = _call_local(inner, op.name)
        else:
            made = _forwarder(op, inner, awaited and op.result is not Result.LISTING)
        method = functools.wraps(declared, updated=())(made)
        method.__qualname__ = f"{target.__qualname__}.{op.name}"
        setattr(target, op.name, method)


def _forwarder(op: BackendOperation, inner: str, awaited: bool) -> Callable[..., Any]:
    name, hop = op.name, _HOPS[op.result]

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        args = _arguments(op, args, kwargs)
        return getattr(self, hop)(getattr(getattr(self, inner), name), *args, **kwargs)

    if not awaited:
        return method

    async def awaited_method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return await method(self, *args, **kwargs)

    return awaited_method


def _read_property(inner: str, name: str) -> Callable[[Any], Any]:
    def getter(self: Any) -> Any:
        return getattr(getattr(self, inner), name)

    return getter


def _call_local(inner: str, name: str) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(getattr(self, inner), name)(*args, **kwargs)

    return method


def _arguments(
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


class ForwardsToAsync:
    """Base of :class:`~remote_store.AsyncBackendSyncAdapter`: the listed operations,
    forwarded to its async backend (``_async``) through ``_call``/``_write``/``_listing``."""

    __slots__ = ()

    if TYPE_CHECKING:  # the abstract members of Backend, for the type checker

        @property
        def name(self) -> str: ...

        def get_file_info(self, path: str) -> FileInfo: ...


class ForwardsToSync:
    """Base of :class:`~remote_store.aio.SyncBackendAdapter`: the listed operations,
    forwarded to its sync backend (``_backend``), awaited where AsyncBackend awaits."""

    __slots__ = ()

    if TYPE_CHECKING:  # the abstract members of AsyncBackend, for the type checker

        @property
        def name(self) -> str: ...

        async def get_file_info(self, path: str) -> FileInfo: ...


install_forwarders(ForwardsToAsync, Backend, "_async", awaited=False)
install_forwarders(ForwardsToSync, AsyncBackend, "_backend", awaited=True)
