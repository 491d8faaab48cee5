"""Small tools the suite's rules share: content streams, snapshots, clean-up."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import BinaryIO, cast

from remote_store import Backend, Capability, FolderEntry, Store

__all__ = [
    "ExplodingStream",
    "PatternStream",
    "empty_backend",
    "exploding",
    "pattern",
    "snapshot",
    "write_files",
]


class PatternStream(io.RawIOBase):
    """A readable stream of ``size`` bytes made of a repeated pattern, without holding them."""

    def __init__(self, size: int, pattern: bytes = b"remote-store conformance\n") -> None:
        self._size = size
        self._pattern = pattern
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._size - self._pos)
        if count <= 0:
            return 0
        start = self._pos % len(self._pattern)
        reps = (start + count) // len(self._pattern) + 1
        buffer[:count] = (self._pattern * reps)[start : start + count]
        self._pos += count
        return count

    @staticmethod
    def expected_chunk(
        offset: int, size: int, pattern: bytes = b"remote-store conformance\n"
    ) -> bytes:
        """The bytes a :class:`PatternStream` yields at ``offset`` (to check a read-back)."""
        start = offset % len(pattern)
        reps = (start + size) // len(pattern) + 1
        return (pattern * reps)[start : start + size]


class ExplodingStream(io.RawIOBase):
    """Yields ``good`` bytes, then raises :class:`OSError` as if the source broke mid-way."""

    def __init__(self, good: bytes) -> None:
        self._good = good
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._pos >= len(self._good):
            raise OSError("the content source failed mid-way (conformance test)")
        count = min(len(buffer), len(self._good) - self._pos)
        buffer[:count] = self._good[self._pos : self._pos + count]
        self._pos += count
        return count


def pattern(size: int) -> BinaryIO:
    """A :class:`PatternStream` of ``size`` bytes, typed as the binary stream it is."""
    return cast(BinaryIO, PatternStream(size))


def exploding(good: bytes) -> BinaryIO:
    """An :class:`ExplodingStream` failing after ``good``, typed as a binary stream."""
    return cast(BinaryIO, ExplodingStream(good))


def write_files(store: Store, files: Mapping[str, bytes]) -> None:
    """Write every ``path: content`` pair through ``store``."""
    for path, content in files.items():
        store.write(path, content, overwrite=True)


def snapshot(backend: Backend) -> dict[str, bytes] | None:
    """Every file and its content (``None`` when the backend cannot list or read)."""
    caps = backend.capabilities
    if Capability.LIST not in caps or Capability.READ not in caps:
        return None
    store = Store(backend, _owns=False)
    return {
        str(info.path): store.read_bytes(str(info.path))
        for info in store.list_files("", recursive=True)
    }


def empty_backend(backend: Backend) -> None:
    """Delete everything a test left behind (needs LIST and DELETE)."""
    caps = backend.capabilities
    if Capability.LIST not in caps or Capability.DELETE not in caps:
        return
    store = Store(backend, _owns=False)
    for entry in list(store.iter_children("")):
        if isinstance(entry, FolderEntry):
            store.delete_folder(str(entry.path), recursive=True, missing_ok=True)
        else:
            store.delete(str(entry.path), missing_ok=True)
