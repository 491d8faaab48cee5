"""ProxyStore: the base of store middleware (cache, observe...)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO, TypeVar

from remote_store._capabilities import Capability
from remote_store._models import FileInfo, FolderEntry, FolderInfo, ResolutionPlan, WriteResult
from remote_store._store import AtomicWriteContext, Store
from remote_store._store_core import DeleteOutcomes
from remote_store._streams import WritableContent
from remote_store.errors import NotPicklable

__all__ = ["ProxyStore"]

T = TypeVar("T")


class ProxyStore(Store):
    """A Store that forwards every call to ``inner``; subclasses override what they add.

    ``write_text`` is inherited from :class:`Store`: it encodes and calls ``self.write``,
    so it reaches the inner store through this proxy's (or a subclass's) ``write``.

    A proxy never owns the backend: ``close()`` is a no-op. Subclasses implement
    :meth:`_wrap_child` so that :meth:`child` keeps the wrapper.
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: Store) -> None:
        super().__init__(inner.backend, inner.root_path, _owns=False)
        self._inner = inner

    def __reduce__(self) -> tuple[Any, ...]:
        """Refused: the wrapper's state (a cache, callbacks) belongs to this process."""
        raise NotPicklable(
            f"a {type(self).__name__} cannot be pickled: its state belongs to this process; "
            f"pickle its inner store ('.inner') and wrap it again on the other side"
        )

    @property
    def inner(self) -> Store:
        """The wrapped store."""
        return self._inner

    def _wrap_child(self, inner_child: Store) -> Store:
        """Wrap a child of the inner store; the default forwards without wrapping."""
        return inner_child

    def child(self, subpath: str) -> Store:
        return self._wrap_child(self._inner.child(subpath))

    def exists(self, path: str) -> bool:
        return self._inner.exists(path)

    def is_file(self, path: str) -> bool:
        return self._inner.is_file(path)

    def is_folder(self, path: str) -> bool:
        return self._inner.is_folder(path)

    def read(self, path: str) -> BinaryIO:
        return self._inner.read(path)

    def read_bytes(self, path: str) -> bytes:
        return self._inner.read_bytes(path)

    def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self._inner.read_text(path, encoding=encoding, errors=errors)

    def read_seekable(self, path: str) -> BinaryIO:
        return self._inner.read_seekable(path)

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
        return self._inner.write(
            path,
            content,
            overwrite=overwrite,
            metadata=metadata,
            if_match=if_match,
            if_none_match=if_none_match,
        )

    def write_atomic(
        self,
        path: str,
        content: WritableContent,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        return self._inner.write_atomic(path, content, overwrite=overwrite, metadata=metadata)

    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Mapping[str, str] | None = None
    ) -> AtomicWriteContext:
        return self._inner.open_atomic(path, overwrite=overwrite, metadata=metadata)

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        self._inner.delete(path, missing_ok=missing_ok)

    def delete_many(self, paths: Iterable[str], *, missing_ok: bool = False) -> DeleteOutcomes:
        return self._inner.delete_many(paths, missing_ok=missing_ok)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        self._inner.delete_folder(path, recursive=recursive, missing_ok=missing_ok)

    def list_files(
        self,
        path: str = "",
        *,
        recursive: bool = False,
        pattern: str | None = None,
        max_depth: int | None = None,
        strict: bool = False,
    ) -> Iterator[FileInfo]:
        return self._inner.list_files(
            path, recursive=recursive, pattern=pattern, max_depth=max_depth, strict=strict
        )

    def list_folders(
        self, path: str = "", *, pattern: str | None = None, max_depth: int | None = None
    ) -> Iterator[FolderEntry]:
        return self._inner.list_folders(path, pattern=pattern, max_depth=max_depth)

    def iter_children(self, path: str = "") -> Iterator[FileInfo | FolderEntry]:
        return self._inner.iter_children(path)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return self._inner.glob(pattern)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._inner.move(src, dst, overwrite=overwrite)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._inner.copy(src, dst, overwrite=overwrite)

    def get_file_info(self, path: str) -> FileInfo:
        return self._inner.get_file_info(path)

    def head(self, path: str) -> WriteResult:
        return self._inner.head(path)

    def get_folder_info(self, path: str = "", *, max_depth: int | None = None) -> FolderInfo:
        return self._inner.get_folder_info(path, max_depth=max_depth)

    def ping(self) -> None:
        self._inner.ping()

    def close(self) -> None:
        """Proxies never own the backend: nothing to close."""

    def unwrap(self, type_hint: type[T]) -> T:
        return self._inner.unwrap(type_hint)

    def resolve(self, key: str) -> ResolutionPlan:
        return self._inner.resolve(key)

    def native_path(self, key: str) -> str:
        return self._inner.native_path(key)

    def to_key(self, path: str) -> str:
        return self._inner.to_key(path)

    def supports(self, capability: Capability) -> bool:
        return self._inner.supports(capability)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._inner!r})"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_inner":
            raise AttributeError(name)
        return getattr(self._inner, name)
