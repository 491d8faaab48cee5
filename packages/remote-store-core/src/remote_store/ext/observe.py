"""Observe every operation of a Store: callbacks, an ``around`` wrapper, plugin events.

``observe(store, on_read=..., on_any=...)`` returns an :class:`ObservedStore` that emits
one :class:`StoreEvent` per operation to the matching callback, to ``on_error`` when it
failed, to ``on_any``, and to every plugin implementing the ``remote_store_store_event``
hook. Callback groups: reads -> ``on_read``; ``write*``/``open_atomic`` -> ``on_write``;
``delete``/``delete_folder`` -> ``on_delete``; ``copy`` -> ``on_copy``; ``move`` ->
``on_move``; listings, ``exists``/``is_*``, metadata and ``resolve`` -> ``on_list``;
``ping`` -> ``on_ping``.

Listings and read streams are observed without being materialised: the wrapper counts
as the caller consumes, and the event fires when the listing is exhausted or closed or
the stream is closed, with ``entries`` or ``bytes`` and any error raised part-way.
``around(operation, path, backend)`` returns a context manager entered when the
operation starts and exited when its event fires (OpenTelemetry spans use it). An
exception raised by a callback, ``around`` or a plugin is logged at WARNING and never
breaks the operation.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO, TypeVar

from remote_store._events import (
    EventHandler,
    StoreEvent,
    deliver,
    get_correlation_id,
    notify_plugins,
    reset_correlation_id,
    set_correlation_id,
)
from remote_store._models import FileInfo, FolderEntry, FolderInfo, ResolutionPlan, WriteResult
from remote_store._proxy import ProxyStore
from remote_store._store import AtomicWriteContext, Store
from remote_store._store_core import DeleteOutcomes
from remote_store._streams import WritableContent
from remote_store.errors import ConfigError, InvalidArgument
from remote_store.ext._buffered import BufferedObserver
from remote_store.hookspecs import hookimpl

__all__ = [
    "AroundFactory",
    "BufferedObserver",
    "EventLogger",
    "ObservedStore",
    "StoreEvent",
    "get_correlation_id",
    "observe",
    "reset_correlation_id",
    "set_correlation_id",
]

T = TypeVar("T")
_log = logging.getLogger("remote_store.ext.observe")

#: ``around(operation, path, backend)`` -> a context manager wrapping the operation.
AroundFactory = Callable[[str, str, str], AbstractContextManager[Any]]

_GROUP = {
    "read": "on_read",
    "read_bytes": "on_read",
    "read_text": "on_read",
    "read_seekable": "on_read",
    "write": "on_write",
    "write_text": "on_write",
    "write_atomic": "on_write",
    "open_atomic": "on_write",
    "delete": "on_delete",
    "delete_folder": "on_delete",
    "copy": "on_copy",
    "move": "on_move",
    "ping": "on_ping",
}
_HOOK_NAMES = (
    "on_read",
    "on_write",
    "on_delete",
    "on_copy",
    "on_move",
    "on_list",
    "on_ping",
    "on_error",
    "on_any",
)


class _Hooks:
    """The callbacks of an observed store (shared with its children)."""

    def __init__(self, around: AroundFactory | None, callbacks: Mapping[str, Any]) -> None:
        for name, value in callbacks.items():
            if value is not None and not callable(value):
                raise InvalidArgument(f"{name} must be callable or None")
        if around is not None and not callable(around):
            raise InvalidArgument("around must be callable or None")
        self.around = around
        self.callbacks: dict[str, EventHandler | None] = dict(callbacks)

    def emit(self, event: StoreEvent) -> None:
        deliver(self.callbacks.get(_GROUP.get(event.operation, "on_list")), event)
        if event.error is not None:
            deliver(self.callbacks.get("on_error"), event)
        deliver(self.callbacks.get("on_any"), event)
        notify_plugins(event)


class _Operation:
    """One running operation: enters ``around`` now, emits its event once, on finish."""

    def __init__(self, hooks: _Hooks, operation: str, path: str, backend: str) -> None:
        self._hooks = hooks
        self._operation = operation
        self._path = str(path)
        self._backend = backend
        self._started_at = datetime.now(UTC)
        self._start = time.perf_counter()
        self._correlation_id = get_correlation_id()
        self._around: AbstractContextManager[Any] | None = None
        self.finished = False
        if hooks.around is not None:
            try:
                context = hooks.around(operation, self._path, backend)
                context.__enter__()
                self._around = context
            except Exception:
                _log.warning("around() failed to start %s", operation, exc_info=True)

    def finish(self, error: BaseException | None = None, **metadata: Any) -> None:
        if self.finished:
            return
        self.finished = True
        duration_ms = (time.perf_counter() - self._start) * 1000.0
        if self._around is not None:
            try:
                if error is None:
                    self._around.__exit__(None, None, None)
                else:
                    self._around.__exit__(type(error), error, error.__traceback__)
            except Exception:
                _log.warning("around() failed to end %s", self._operation, exc_info=True)
        event = StoreEvent(
            operation=self._operation,
            path=self._path,
            backend=self._backend,
            started_at=self._started_at,
            duration_ms=duration_ms,
            error=error,
            metadata=metadata,
            correlation_id=self._correlation_id,
        )
        self._hooks.emit(event)


class _ObservedReader(io.RawIOBase):
    """A read stream counting bytes; its event fires on close or on a read error."""

    def __init__(self, inner: IO[bytes] | BinaryIO, operation: _Operation) -> None:
        super().__init__()
        self._inner = inner
        self._operation = operation
        self.bytes_read = 0
        self._at_eof = False

    def _fail(self, exc: BaseException) -> None:
        self._operation.finish(exc, bytes=self.bytes_read, completed=False)

    def _count(self, count: int, requested: int) -> None:
        self.bytes_read += count
        if count == 0 and requested != 0:
            self._at_eof = True

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        requested = -1 if size is None else size
        try:
            data = bytes(self._inner.read(requested) or b"")
        except BaseException as exc:
            self._fail(exc)
            raise
        self._count(len(data), requested)
        if requested < 0:
            self._at_eof = True
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            readinto = getattr(self._inner, "readinto", None)
            if readinto is not None:
                count = int(readinto(view) or 0)
            else:
                data = self._inner.read(len(view))
                count = len(data)
                view[:count] = data
        except BaseException as exc:
            self._fail(exc)
            raise
        self._count(count, len(view))
        return count

    def readline(self, size: int | None = -1) -> bytes:
        try:
            data = bytes(self._inner.readline(-1 if size is None else size))
        except BaseException as exc:
            self._fail(exc)
            raise
        self._count(len(data), 1)
        return data

    def seekable(self) -> bool:
        return bool(self._inner.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._at_eof = False
        return int(self._inner.seek(offset, whence))

    def tell(self) -> int:
        return int(self._inner.tell())

    def close(self) -> None:
        if self.closed:
            return
        error: BaseException | None = None
        try:
            self._inner.close()
        except BaseException as exc:
            error = exc
            raise
        finally:
            super().close()
            self._operation.finish(error, bytes=self.bytes_read, completed=self._at_eof)


class _ObservedIterator(Iterator[T]):
    """A listing counting entries; its event fires at the end, on close or on an error."""

    def __init__(self, inner: Iterator[T], operation: _Operation) -> None:
        self._inner = inner
        self._operation = operation
        self.entries = 0

    def __iter__(self) -> _ObservedIterator[T]:
        return self

    def __next__(self) -> T:
        try:
            item = next(self._inner)
        except StopIteration:
            self._operation.finish(None, entries=self.entries, completed=True)
            raise
        except BaseException as exc:
            self._operation.finish(exc, entries=self.entries, completed=False)
            raise
        self.entries += 1
        return item

    def close(self) -> None:
        """Stop the listing early; the event reports ``completed=False``."""
        if self._operation.finished:
            return
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()
        self._operation.finish(None, entries=self.entries, completed=False)

    def __del__(self) -> None:
        if not self._operation.finished:
            self._operation.finish(None, entries=self.entries, completed=False)


class _ObservedAtomicWrite(AtomicWriteContext):
    """Wraps the inner ``open_atomic`` context; the event fires after the commit."""

    def __init__(self, inner: AtomicWriteContext, operation: _Operation) -> None:
        self._wrapped = inner
        self._operation = operation
        self.result = None

    def __enter__(self) -> BinaryIO:
        try:
            return self._wrapped.__enter__()
        except BaseException as exc:
            self._operation.finish(exc)
            raise

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        try:
            self._wrapped.__exit__(exc_type, exc, traceback)
        except BaseException as error:
            self._operation.finish(error)
            raise
        self.result = self._wrapped.result
        size = self.result.size if self.result is not None else 0
        self._operation.finish(exc, bytes=size)


class ObservedStore(ProxyStore):
    """A :class:`~remote_store.ProxyStore` emitting a :class:`StoreEvent` per operation."""

    __slots__ = ("_hooks",)

    def __init__(
        self,
        inner: Store,
        *,
        on_read: EventHandler | None = None,
        on_write: EventHandler | None = None,
        on_delete: EventHandler | None = None,
        on_copy: EventHandler | None = None,
        on_move: EventHandler | None = None,
        on_list: EventHandler | None = None,
        on_ping: EventHandler | None = None,
        on_error: EventHandler | None = None,
        on_any: EventHandler | None = None,
        around: AroundFactory | None = None,
        _hooks: _Hooks | None = None,
    ) -> None:
        super().__init__(inner)
        if _hooks is None:
            callbacks = dict(
                zip(
                    _HOOK_NAMES,
                    (
                        on_read,
                        on_write,
                        on_delete,
                        on_copy,
                        on_move,
                        on_list,
                        on_ping,
                        on_error,
                        on_any,
                    ),
                    strict=True,
                )
            )
            _hooks = _Hooks(around, callbacks)
        self._hooks = _hooks

    def _wrap_child(self, inner_child: Store) -> Store:
        return ObservedStore(inner_child, _hooks=self._hooks)

    def _start(self, operation: str, path: str) -> _Operation:
        return _Operation(self._hooks, operation, path, self._backend_name)

    def _run(
        self,
        operation: str,
        path: str,
        call: Callable[[], T],
        describe: Callable[[T], Mapping[str, Any]] | None = None,
        **metadata: Any,
    ) -> T:
        op = self._start(operation, path)
        try:
            result = call()
        except BaseException as exc:
            op.finish(exc, **metadata)
            raise
        if describe is not None:
            metadata.update(describe(result))
        op.finish(None, **metadata)
        return result

    def _listing(
        self, operation: str, path: str, produce: Callable[[], Iterator[T]]
    ) -> Iterator[T]:
        op = self._start(operation, path)
        try:
            source = produce()
        except BaseException as exc:
            op.finish(exc, entries=0, completed=False)
            raise
        return _ObservedIterator(iter(source), op)

    def _stream(self, operation: str, path: str, produce: Callable[[], BinaryIO]) -> BinaryIO:
        op = self._start(operation, path)
        try:
            stream = produce()
        except BaseException as exc:
            op.finish(exc, bytes=0, completed=False)
            raise
        return _ObservedReader(stream, op)  # type: ignore[return-value]

    # -- queries ----------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        return self._run("exists", path, lambda: self._inner.exists(path), _result)

    def is_file(self, path: str) -> bool:
        return self._run("is_file", path, lambda: self._inner.is_file(path), _result)

    def is_folder(self, path: str) -> bool:
        return self._run("is_folder", path, lambda: self._inner.is_folder(path), _result)

    def get_file_info(self, path: str) -> FileInfo:
        return self._run("get_file_info", path, lambda: self._inner.get_file_info(path))

    def head(self, path: str) -> WriteResult:
        return self._run("head", path, lambda: self._inner.head(path))

    def get_folder_info(self, path: str = "", *, max_depth: int | None = None) -> FolderInfo:
        return self._run(
            "get_folder_info", path, lambda: self._inner.get_folder_info(path, max_depth=max_depth)
        )

    def resolve(self, key: str) -> ResolutionPlan:
        return self._run("resolve", key, lambda: self._inner.resolve(key))

    # -- reads ------------------------------------------------------------------------

    def read(self, path: str) -> BinaryIO:
        return self._stream("read", path, lambda: self._inner.read(path))

    def read_seekable(self, path: str) -> BinaryIO:
        return self._stream("read_seekable", path, lambda: self._inner.read_seekable(path))

    def read_bytes(self, path: str) -> bytes:
        return self._run("read_bytes", path, lambda: self._inner.read_bytes(path), _size)

    def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        data = self._run("read_text", path, lambda: self._inner.read_bytes(path), _size)
        return data.decode(encoding, errors)

    # -- writes -----------------------------------------------------------------------

    def write(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> WriteResult:
        return self._run(
            "write",
            path,
            lambda: self._inner.write(
                path,
                content,
                overwrite=overwrite,
                metadata=metadata,
                if_match=if_match,
                if_none_match=if_none_match,
            ),
            _written,
        )

    def write_text(
        self,
        path: str,
        text: str,
        *,
        encoding: str = "utf-8",
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        return self._run(
            "write_text",
            path,
            lambda: self._inner.write_text(
                path, text, encoding=encoding, overwrite=overwrite, metadata=metadata
            ),
            _written,
        )

    def write_atomic(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        return self._run(
            "write_atomic",
            path,
            lambda: self._inner.write_atomic(path, content, overwrite=overwrite, metadata=metadata),
            _written,
        )

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AtomicWriteContext:
        op = self._start("open_atomic", path)
        try:
            context = self._inner.open_atomic(path, overwrite=overwrite, metadata=metadata)
        except BaseException as exc:
            op.finish(exc)
            raise
        return _ObservedAtomicWrite(context, op)

    # -- deletes, moves, copies -------------------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        self._run("delete", path, lambda: self._inner.delete(path, missing_ok=missing_ok))

    def delete_many(self, paths: Iterable[str], *, missing_ok: bool = False) -> DeleteOutcomes:
        paths = list(paths) if not isinstance(paths, (str, bytes)) else paths
        return self._run(
            "delete_many",
            ",".join(map(str, paths)) if len(paths) <= 8 else f"{len(paths)} paths",
            lambda: self._inner.delete_many(paths, missing_ok=missing_ok),
        )

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        self._run(
            "delete_folder",
            path,
            lambda: self._inner.delete_folder(path, recursive=recursive, missing_ok=missing_ok),
        )

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._run("move", src, lambda: self._inner.move(src, dst, overwrite=overwrite), dst=dst)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._run("copy", src, lambda: self._inner.copy(src, dst, overwrite=overwrite), dst=dst)

    # -- listings ---------------------------------------------------------------------

    def list_files(
        self,
        path: str = "",
        *,
        recursive: bool = False,
        pattern: str | None = None,
        max_depth: int | None = None,
        strict: bool = False,
    ) -> Iterator[FileInfo]:
        return self._listing(
            "list_files",
            path,
            lambda: self._inner.list_files(
                path, recursive=recursive, pattern=pattern, max_depth=max_depth, strict=strict
            ),
        )

    def list_folders(
        self, path: str = "", *, pattern: str | None = None, max_depth: int | None = None
    ) -> Iterator[FolderEntry]:
        return self._listing(
            "list_folders",
            path,
            lambda: self._inner.list_folders(path, pattern=pattern, max_depth=max_depth),
        )

    def iter_children(self, path: str = "") -> Iterator[FileInfo | FolderEntry]:
        return self._listing("iter_children", path, lambda: self._inner.iter_children(path))

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return self._listing("glob", pattern, lambda: self._inner.glob(pattern))

    def ping(self) -> None:
        self._run("ping", "", self._inner.ping)


def _result(value: bool) -> Mapping[str, Any]:
    return {"result": value}


def _size(data: bytes) -> Mapping[str, Any]:
    return {"bytes": len(data)}


def _written(result: WriteResult) -> Mapping[str, Any]:
    return {"bytes": result.size}


def observe(
    store: Store,
    *,
    on_read: EventHandler | None = None,
    on_write: EventHandler | None = None,
    on_delete: EventHandler | None = None,
    on_copy: EventHandler | None = None,
    on_move: EventHandler | None = None,
    on_list: EventHandler | None = None,
    on_ping: EventHandler | None = None,
    on_error: EventHandler | None = None,
    on_any: EventHandler | None = None,
    around: AroundFactory | None = None,
) -> ObservedStore:
    """Wrap ``store`` so that every operation emits a :class:`StoreEvent`."""
    if not isinstance(store, Store):
        raise InvalidArgument(f"observe() needs a Store, not {type(store).__name__}")
    return ObservedStore(
        store,
        on_read=on_read,
        on_write=on_write,
        on_delete=on_delete,
        on_copy=on_copy,
        on_move=on_move,
        on_list=on_list,
        on_ping=on_ping,
        on_error=on_error,
        on_any=on_any,
        around=around,
    )


class EventLogger:
    """An ``on_any`` callback writing one log line per event."""

    def __init__(
        self, logger: str = "remote_store.events", level: int | str = logging.INFO
    ) -> None:
        resolved = logging.getLevelName(level) if isinstance(level, str) else level
        if not isinstance(resolved, int):
            raise InvalidArgument(f"unknown log level {level!r}")
        self._logger = logging.getLogger(logger)
        self._level = resolved

    def __call__(self, event: StoreEvent) -> None:
        if not self._logger.isEnabledFor(self._level):
            return
        details = " ".join(f"{key}={value}" for key, value in event.metadata.items())
        self._logger.log(
            self._level,
            "%s %r on %s took %.1f ms%s%s",
            event.operation,
            event.path,
            event.backend,
            event.duration_ms,
            f" {details}" if details else "",
            f" error={type(event.error).__name__}" if event.error is not None else "",
            extra={"op": event.operation, "path": event.path, "backend": event.backend},
        )


_CONFIG_KEYS = frozenset({"log", "level", "logger"})


@hookimpl(trylast=True)
def remote_store_wrap_store(store: Store, profile: str, options: Mapping[str, Any]) -> Store | None:
    """Registry hook: a profile with an ``observe`` option is wrapped in :func:`observe`.

    It runs after the other wrappers, so the observer is the outermost layer and sees
    every call the application makes (cache hits included).

    ``observe = true`` (or ``{}``) emits events to plugins only (for example
    remote-store-otel); ``observe = {log = true, level = "INFO", logger = "remote_store.events"}``
    also logs one line per operation. ``observe = false`` or no key: not wrapped.
    """
    table = options.get("observe") if isinstance(options, Mapping) else None
    if table is None or table is False:
        return None
    if table is True:
        table = {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"store {profile!r}: 'observe' must be true or a table, not {table!r}")
    unknown = set(table) - _CONFIG_KEYS
    if unknown:
        raise ConfigError(
            f"store {profile!r}: unknown observe option(s) {sorted(unknown)}; "
            f"allowed: {sorted(_CONFIG_KEYS)}"
        )
    on_any: EventHandler | None = None
    if table.get("log", False):
        try:
            on_any = EventLogger(
                str(table.get("logger", "remote_store.events")), table.get("level", "INFO")
            )
        except InvalidArgument as exc:
            raise ConfigError(f"store {profile!r}: {exc.message}") from exc
    return observe(store, on_any=on_any)
