"""Any :class:`~remote_store.Store` as a PyArrow filesystem (``remote_store.ext.arrow``).

``pyarrow_fs(store)`` gives a filesystem for ``pyarrow.dataset``, ``pyarrow.parquet``,
``pyarrow.csv``... Paths are store paths (relative to the store's root, ``/``-separated).

* **Native first.** When the backend has a native ``pyarrow.fs.FileSystem``
  (``store.unwrap(pyarrow.fs.FileSystem)``, e.g. s3-pyarrow), it is returned wrapped in a
  ``SubTreeFileSystem`` on the store's root, so the root scoping still holds. A store
  wrapped in middleware (a :class:`~remote_store.ProxyStore`: cache, observe, otel) is
  never bypassed: it goes through :class:`StoreFileSystemHandler`.
* **Reads.** A file up to ``materialization_threshold`` bytes is read whole into an Arrow
  buffer (one request, no Python in the read path afterwards); a larger one is opened with
  ``store.read_seekable`` so pyarrow's range reads (footer, column chunks) fetch only what
  they need.
* **Writes** stream into ``store.open_atomic`` (bounded by the backend), or, on a store
  without atomic writes, into a spool (memory up to ``write_spill_threshold``, then disk)
  written on close. A file appears whole on ``close()`` or not at all.
* **Errors** are the builtins pyarrow expects (``FileNotFoundError``, ``FileExistsError``,
  ``NotADirectoryError``, ``IsADirectoryError``, ``PermissionError``...), with the typed
  remote-store error as ``__cause__``.
* **Exit.** No thread is started; streams left open at interpreter exit are closed
  (readers) or abandoned uncommitted (writers) by an ``atexit`` hook.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
from remote_store import Capability, FileInfo, ProxyStore, Store
from remote_store.errors import InvalidPath, NotFound, RemoteStoreError

from remote_store_arrow._errors import as_os_error, translated
from remote_store_arrow._io import StoreReader, StoreWriter

__all__ = ["StoreFileSystemHandler", "pyarrow_fs"]

#: Default of both thresholds: 64 MiB.
DEFAULT_THRESHOLD = 64 * 1024 * 1024


def _key(path: str) -> str:
    """The store path of a pyarrow path (``/a/b/`` and ``a/b`` are the same)."""
    key = path.replace("\\", "/").strip("/")
    return "" if key == "." else key


class StoreFileSystemHandler(pafs.FileSystemHandler):  # type: ignore[misc]
    """A ``pyarrow.fs.FileSystemHandler`` over a Store; wrap it in ``pyarrow.fs.PyFileSystem``.

    Folders are implicit on object stores: ``create_dir`` does nothing, and a folder exists
    while it holds a file (or, on local and memory stores, while the folder exists). The
    handler never closes the store.
    """

    def __init__(
        self,
        store: Store,
        materialization_threshold: int = DEFAULT_THRESHOLD,
        write_spill_threshold: int = DEFAULT_THRESHOLD,
    ) -> None:
        if materialization_threshold < 0 or write_spill_threshold < 0:
            raise ValueError("thresholds must be >= 0")
        self.store = store
        self.materialization_threshold = materialization_threshold
        self.write_spill_threshold = write_spill_threshold

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoreFileSystemHandler):
            return NotImplemented
        return self.store is other.store

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return id(self.store)

    def get_type_name(self) -> str:
        """``remote-store+<backend name>``."""
        return f"remote-store+{self.store.backend.name}"

    def normalize_path(self, path: str) -> str:
        """Store paths have no leading or trailing ``/``."""
        return _key(path)

    # -- metadata ---------------------------------------------------------------------

    def get_file_info(self, paths: list[str]) -> list[pafs.FileInfo]:
        """One ``FileInfo`` per path: File, Directory or NotFound."""
        return [self._info(path) for path in paths]

    def _info(self, path: str) -> pafs.FileInfo:
        key = _key(path)
        if key == "":
            return pafs.FileInfo(path, pafs.FileType.Directory)
        try:
            return _file_info(self.store.get_file_info(key), path)
        except (NotFound, InvalidPath):
            pass
        except RemoteStoreError as exc:
            raise as_os_error(exc, path) from exc
        with translated(path):
            is_folder = self.store.is_folder(key)
        kind = pafs.FileType.Directory if is_folder else pafs.FileType.NotFound
        return pafs.FileInfo(path, kind)

    def get_file_info_selector(self, selector: pafs.FileSelector) -> list[pafs.FileInfo]:
        """The entries below ``selector.base_dir``.

        A recursive selection is one flat ``list_files`` (one paginated listing on object
        stores); its folders are derived from the file paths, so an empty folder of a
        local or memory store is not reported.
        """
        base = _key(selector.base_dir)
        with translated(selector.base_dir, folder=True):
            if base and not self.store.is_folder(base):
                if self.store.is_file(base):
                    raise InvalidPath("not a folder", path=base)
                if selector.allow_not_found:
                    return []
                raise NotFound("folder not found", path=base)
            if not selector.recursive:
                return [_entry_info(entry) for entry in self.store.iter_children(base)]
            return self._walk(base)

    def _walk(self, base: str) -> list[pafs.FileInfo]:
        infos: list[pafs.FileInfo] = []
        seen: set[str] = set()
        start = len(base) + 1 if base else 0
        for info in self.store.list_files(base, recursive=True):
            path = str(info.path)
            cut = path.find("/", start)
            while cut != -1:
                folder = path[:cut]
                if folder not in seen:
                    seen.add(folder)
                    infos.append(pafs.FileInfo(folder, pafs.FileType.Directory))
                cut = path.find("/", cut + 1)
            infos.append(_file_info(info, path))
        return infos

    # -- folders ----------------------------------------------------------------------

    def create_dir(self, path: str, recursive: bool) -> None:
        """No-op: a folder comes into existence with its first file."""

    def delete_dir(self, path: str) -> None:
        """Delete a folder and everything below it."""
        key = _key(path)
        with translated(path, folder=True):
            if not key:
                raise InvalidPath("cannot delete the store root", path=path)
            if not self.store.is_folder(key):
                raise NotFound("folder not found", path=key)
            self.store.delete_folder(key, recursive=True)

    def delete_dir_contents(self, path: str, missing_dir_ok: bool = False) -> None:
        """Delete everything below a folder, keeping the folder where folders are real."""
        key = _key(path)
        with translated(path, folder=True):
            if key and not self.store.is_folder(key):
                if missing_dir_ok and not self.store.is_file(key):
                    return
                if self.store.is_file(key):
                    raise InvalidPath("not a folder", path=key)
                raise NotFound("folder not found", path=key)
            for entry in list(self.store.iter_children(key)):
                if isinstance(entry, FileInfo):
                    self.store.delete(str(entry.path), missing_ok=True)
                else:
                    self.store.delete_folder(str(entry.path), recursive=True, missing_ok=True)

    def delete_root_dir_contents(self) -> None:
        """Delete everything in the store."""
        self.delete_dir_contents("", missing_dir_ok=True)

    # -- files ------------------------------------------------------------------------

    def delete_file(self, path: str) -> None:
        """Delete one file."""
        with translated(path, folder=False):
            self.store.delete(_key(path))

    def move(self, src: str, dest: str) -> None:
        """Move a file (replacing ``dest``), or every file of a folder."""
        source, target = _key(src), _key(dest)
        with translated(src, folder=False):
            if self.store.is_file(source):
                self.store.move(source, target, overwrite=True)
                return
            if not source or not self.store.is_folder(source):
                raise NotFound("source not found", path=source)
            for info in list(self.store.list_files(source, recursive=True)):
                rest = str(info.path)[len(source) + 1 :]
                self.store.move(str(info.path), f"{target}/{rest}", overwrite=True)
            self.store.delete_folder(source, recursive=True, missing_ok=True)

    def copy_file(self, src: str, dest: str) -> None:
        """Copy one file, replacing ``dest``."""
        with translated(src, folder=False):
            self.store.copy(_key(src), _key(dest), overwrite=True)

    def open_input_stream(self, path: str) -> pa.NativeFile:
        """A sequential read stream (``store.read``)."""
        key = _key(path)
        with translated(path, folder=False):
            stream = self.store.read(key)
        return pa.PythonFile(StoreReader(stream, path), mode="r")

    def open_input_file(self, path: str) -> pa.NativeFile:
        """A random-access file: whole in memory when small, else ``read_seekable``."""
        key = _key(path)
        with translated(path, folder=False):
            size = self.store.get_file_info(key).size
            if size <= self.materialization_threshold:
                return pa.BufferReader(self.store.read_bytes(key))
            stream = self.store.read_seekable(key)
        return pa.PythonFile(StoreReader(stream, path), mode="r")

    def open_output_stream(self, path: str, metadata: Any = None) -> pa.NativeFile:
        """A write stream; the file appears (replaced whole) when the stream is closed.

        ``metadata`` (pyarrow's key-value metadata) is stored as user metadata when the
        store supports it and ignored otherwise.
        """
        user_metadata = None
        if metadata and self.store.supports(Capability.USER_METADATA):
            user_metadata = {_text(k): _text(v) for k, v in dict(metadata).items()}
        writer = StoreWriter(
            self.store,
            _key(path),
            spill_threshold=self.write_spill_threshold,
            metadata=user_metadata,
        )
        return pa.PythonFile(writer, mode="w")

    def open_append_stream(self, path: str, metadata: Any = None) -> pa.NativeFile:
        """Not supported: stores replace files whole."""
        raise NotImplementedError("remote-store files cannot be appended to")


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _file_info(info: FileInfo, path: str) -> pafs.FileInfo:
    return pafs.FileInfo(path, pafs.FileType.File, mtime=info.modified_at, size=info.size)


def _entry_info(entry: Any) -> pafs.FileInfo:
    if isinstance(entry, FileInfo):
        return _file_info(entry, str(entry.path))
    return pafs.FileInfo(str(entry.path), pafs.FileType.Directory)


def native_filesystem(store: Store) -> pafs.FileSystem | None:
    """The backend's own pyarrow filesystem scoped to the store root, or ``None``."""
    if isinstance(store, ProxyStore):
        return None
    try:
        native = store.unwrap(pafs.FileSystem)
        base = store.native_path("")
    except RemoteStoreError:
        return None
    if not isinstance(native, pafs.FileSystem):
        return None
    scheme, sep, rest = base.partition("://")
    if sep and scheme.isalnum():
        base = rest
    base = base.rstrip("/")
    return pafs.SubTreeFileSystem(base, native) if base else native


def pyarrow_fs(
    store: Store,
    materialization_threshold: int = DEFAULT_THRESHOLD,
    write_spill_threshold: int = DEFAULT_THRESHOLD,
    *,
    native: bool = True,
) -> pafs.FileSystem:
    """A pyarrow filesystem over ``store``: the backend's native one when it has one
    (``native=False`` refuses it), else a ``PyFileSystem(StoreFileSystemHandler(...))``."""
    if native:
        found = native_filesystem(store)
        if found is not None:
            return found
    handler = StoreFileSystemHandler(store, materialization_threshold, write_spill_threshold)
    return pafs.PyFileSystem(handler)
