"""Store: the one object application code talks to.

Its operations are :class:`~remote_store._store_ops.StoreOps`, generated from the async
source ``remote_store/aio/_store_ops.py``; what only a sync store does is written here.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import IO, Any, BinaryIO

from remote_store._backend import Backend
from remote_store._capabilities import Capability
from remote_store._models import WriteResult
from remote_store._store_core import StoreCore
from remote_store._store_ops import StoreOps
from remote_store.errors import AlreadyExists, RemoteStoreError

__all__ = ["Store"]


class Store(StoreOps):
    """A capability-gated, root-scoped view of a :class:`Backend`.

    Every method validates its paths, refuses an undeclared capability before any I/O,
    and raises only :mod:`remote_store.errors` types. A store built directly owns its
    backend and closes it; stores from :meth:`child` or a registry do not.
    """

    __slots__ = ()

    def __init__(self, backend: Backend, root_path: str = "", *, _owns: bool = True) -> None:
        super().__init__(backend, root_path, _owns=_owns)

    # what a sync store makes its own way (the operations call these)
    _read_stream = StoreCore._reader  # type: ignore[assignment]

    def _atomic_context(
        self, key: str, overwrite: bool, metadata: dict[str, str] | None, path: object
    ) -> AtomicWriteContext:
        return AtomicWriteContext(self, key, overwrite, metadata, path)

    def _make_child(self, key: str) -> Store:
        return Store(self._backend, key, _owns=False)

    def read_seekable(self, path: str) -> BinaryIO:
        """A seekable stream: native where the backend seeks, else spooled or ranged."""
        try:
            key = self._file_key(path)
            self._gate(Capability.READ, key)
            stream = self._call(key, self._backend.read_seekable, key)
        except RemoteStoreError as exc:
            self._locate(exc, path)
            raise
        return self._reader(stream, key, path)  # type: ignore[return-value]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AtomicWriteContext(AbstractContextManager[BinaryIO]):
    """What :meth:`Store.open_atomic` returns: a writable stream inside, a result after."""

    def __init__(
        self,
        store: Store,
        key: str,
        overwrite: bool,
        metadata: dict[str, str] | None,
        path: object = None,
    ) -> None:
        self._store = store
        self._key = key
        self._path = key if path is None else path
        self._overwrite = overwrite
        self._metadata = metadata
        self._inner: AbstractContextManager[IO[bytes]] | None = None
        self._stream: IO[bytes] | None = None
        self.result: WriteResult | None = None

    def __enter__(self) -> BinaryIO:
        try:
            return self._enter()
        except RemoteStoreError as exc:
            self._store._locate(exc, self._path)
            raise

    def _enter(self) -> BinaryIO:
        store, key = self._store, self._key
        if not self._overwrite and store._call(key, store._backend.is_file, key):
            raise AlreadyExists("file exists", path=key, backend=store._backend_name)
        options: dict[str, Any] = {"overwrite": self._overwrite}
        if self._metadata:
            options["metadata"] = self._metadata
        self._inner = store._call(key, store._backend.open_atomic, key, **options)
        self._stream = store._call(key, self._inner.__enter__)
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._exit(exc_type, exc, traceback)
        except RemoteStoreError as error:
            self._store._locate(error, self._path)
            raise

    def _exit(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._inner is not None and self._stream is not None
        store, key = self._store, self._key
        size = _tell(self._stream) if exc_type is None else 0
        if exc_type is None and store._needs_create_check(self._overwrite):
            # Without a native create-exclusive commit, check again right before it (as
            # AsyncStore does): a file that appeared during the body is never replaced.
            try:
                store._refuse_existing(key)
            except AlreadyExists as refused:
                store._call(key, self._inner.__exit__, AlreadyExists, refused, None)
                raise
        store._call(key, self._inner.__exit__, exc_type, exc, traceback)
        if exc_type is not None:
            return
        result = getattr(self._inner, "result", None)
        if not isinstance(result, WriteResult):
            result = WriteResult(path=key, size=size, metadata=self._metadata)
        self.result = store._rebase_result(result)


def _tell(stream: IO[bytes]) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0
