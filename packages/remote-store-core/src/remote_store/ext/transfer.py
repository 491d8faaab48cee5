"""Copy files between the local disk and a store, or between two stores.

Every helper streams in chunks (bounded memory whatever the file size), reports progress
through ``on_progress(n)`` (bytes moved by each chunk) and returns a
:class:`~remote_store.WriteResult`. The destination is written atomically:

* ``download`` writes a hidden temporary file in the target folder and renames it into
  place, so a failure never leaves a partial file and never touches an existing one;
  with ``overwrite=False`` the final step is a create-only link, so a file that appears
  meanwhile is not replaced (:class:`~remote_store.errors.LocalFileExists`, which is
  also a ``FileExistsError``).
* ``upload`` and ``transfer`` use ``write_atomic`` on stores declaring
  ``ATOMIC_WRITE``, and plain ``write`` otherwise.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO, cast

from remote_store._capabilities import Capability
from remote_store._models import WriteResult
from remote_store._store import Store
from remote_store._streams import CHUNK_SIZE
from remote_store.errors import AlreadyExists, InvalidArgument, LocalFileExists, NotFound
from remote_store.ext.streams import ProgressReader

__all__ = ["LocalFileNotFound", "download", "transfer", "upload"]

ProgressCallback = Callable[[int], object]


class LocalFileNotFound(NotFound, FileNotFoundError):
    """The local source of ``upload`` does not exist (also a ``FileNotFoundError``)."""

    def __str__(self) -> str:
        return NotFound.__str__(self)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()


def _with_progress(
    stream: IO[bytes] | BinaryIO, on_progress: ProgressCallback | None
) -> IO[bytes] | BinaryIO:
    if on_progress is None:
        return stream
    if not callable(on_progress):
        raise InvalidArgument("on_progress must be callable")
    return cast(BinaryIO, ProgressReader(stream, on_progress))


def _write(store: Store, path: str, stream: IO[bytes] | BinaryIO, overwrite: bool) -> WriteResult:
    if store.supports(Capability.ATOMIC_WRITE):
        return store.write_atomic(path, stream, overwrite=overwrite)
    return store.write(path, stream, overwrite=overwrite)


def upload(
    store: Store,
    local_path: str | os.PathLike[str],
    remote_path: str,
    *,
    overwrite: bool = False,
    on_progress: ProgressCallback | None = None,
) -> WriteResult:
    """Stream a local file into ``store`` at ``remote_path``."""
    source = Path(local_path)
    if on_progress is not None and not callable(on_progress):
        raise InvalidArgument("on_progress must be callable")
    try:
        stream = source.open("rb")
    except FileNotFoundError:
        raise LocalFileNotFound("local file not found", path=str(source)) from None
    except IsADirectoryError:
        raise InvalidArgument(f"local path is a folder: {source}") from None
    with stream:
        return _write(store, remote_path, _with_progress(stream, on_progress), overwrite)


def download(
    store: Store,
    remote_path: str,
    local_path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    on_progress: ProgressCallback | None = None,
) -> WriteResult:
    """Stream ``remote_path`` into the local file ``local_path``, atomically.

    Missing parent folders are created. ``overwrite=False`` with an existing file raises
    :class:`~remote_store.errors.LocalFileExists` and leaves the file as it was.
    """
    target = Path(local_path)
    if on_progress is not None and not callable(on_progress):
        raise InvalidArgument("on_progress must be callable")
    if target.is_dir():
        raise InvalidArgument(f"local path is a folder: {target}")
    if not overwrite and target.exists():
        raise LocalFileExists("local file exists", path=str(target))
    with store.read(remote_path) as stream:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = _TempSibling(target)
        try:
            size = temp.fill(_with_progress(stream, on_progress))
            temp.publish(overwrite)
        finally:
            temp.discard()
    return WriteResult(path=str(target), size=size, source="basic")


class _TempSibling:
    """A hidden temporary file beside ``target``, renamed onto it when complete."""

    def __init__(self, target: Path) -> None:
        self._target = target
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        self._fd: int | None = fd
        self._name: str | None = name

    def fill(self, source: IO[bytes] | BinaryIO) -> int:
        assert self._fd is not None
        total = 0
        with open(self._fd, "wb", closefd=True) as sink:
            self._fd = None
            while chunk := source.read(CHUNK_SIZE):
                sink.write(chunk)
                total += len(chunk)
            sink.flush()
            os.fsync(sink.fileno())
        return total

    def publish(self, overwrite: bool) -> None:
        assert self._name is not None
        os.chmod(self._name, _FILE_MODE)
        if overwrite:
            os.replace(self._name, self._target)
        else:
            try:
                os.link(self._name, self._target)
            except FileExistsError:
                raise LocalFileExists("local file exists", path=str(self._target)) from None
            except OSError:  # file systems without hard links: check, then rename
                if self._target.exists():
                    raise LocalFileExists("local file exists", path=str(self._target)) from None
                os.replace(self._name, self._target)
                self._name = None
                return
            os.unlink(self._name)
        self._name = None

    def discard(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._name is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._name)
            self._name = None


def transfer(
    src_store: Store,
    src_path: str,
    dst_store: Store,
    dst_path: str,
    *,
    overwrite: bool = False,
    on_progress: ProgressCallback | None = None,
) -> WriteResult:
    """Stream a file from one store to another (or within one store)."""
    if on_progress is not None and not callable(on_progress):
        raise InvalidArgument("on_progress must be callable")
    if not overwrite and dst_store.is_file(dst_path):  # fail before opening the source
        raise AlreadyExists("file exists", path=dst_path, backend=dst_store.backend.name)
    with src_store.read(src_path) as stream:
        return _write(dst_store, dst_path, _with_progress(stream, on_progress), overwrite)
