"""Deliberately broken backends: the kit must catch each one (copied into meta-test runs)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO
from urllib.parse import quote

from remote_store import Capability, CapabilitySet, FileInfo, WriteResult
from remote_store.backend import RemotePath, WritableContent, glob_by_listing, iter_content
from remote_store.backends import MemoryBackend
from remote_store.errors import AlreadyExists


class IgnoresOverwrite(MemoryBackend):
    """Claims create-exclusive writes but replaces existing files anyway."""

    def write(
        self,
        path: str,
        content: object,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        return super().write(path, content, overwrite=True, metadata=metadata)  # type: ignore[arg-type]


class DeclaresGlobWithoutIt(MemoryBackend):
    """Declares GLOB with a ``glob`` that never finds anything."""

    CAPABILITIES = CapabilitySet(MemoryBackend.CAPABILITIES | {Capability.GLOB})

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return iter(())


class IgnoresTheCondition(MemoryBackend):
    """Declares CONDITIONAL_WRITE but writes whatever the etag says (a lost update)."""

    def write_conditional(
        self,
        path: str,
        content: WritableContent,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        return self.write(path, b"".join(iter_content(content)), overwrite=True, metadata=metadata)


class BulkDeleteForgetsMissing(MemoryBackend):
    """Declares BULK_DELETE but reports a missing file as deleted."""

    def delete_many(
        self, paths: Sequence[str], *, missing_ok: bool = False
    ) -> Mapping[str, BaseException | None]:
        return dict.fromkeys(self.delete_many_quietly(paths))

    def delete_many_quietly(self, paths: Sequence[str]) -> list[str]:
        for path in paths:
            self.delete(path, missing_ok=True)
        return list(paths)


class LeaksKeyError(MemoryBackend):
    """Lets the dict's KeyError escape instead of raising NotFound."""

    def read(self, path: str) -> BinaryIO:
        import io

        return io.BytesIO(self._files[path][0])

    def read_bytes(self, path: str) -> bytes:
        data: bytes = self._files[path][0]
        return data

    def get_file_info(self, path: str) -> FileInfo:
        return self._info(path, self._files[path])


class ClaimsNativeResults(MemoryBackend):
    """Does not declare WRITE_RESULT_NATIVE yet returns native write results."""

    CAPABILITIES = CapabilitySet(MemoryBackend.CAPABILITIES - {Capability.WRITE_RESULT_NATIVE})


class ReadOnlyMemory(MemoryBackend):
    """A read-only view (READ, LIST, METADATA) over seeded files: a well-behaved backend."""

    CAPABILITIES = CapabilitySet({Capability.READ, Capability.LIST, Capability.METADATA})

    @classmethod
    def seeded(cls, files: Mapping[str, bytes]) -> ReadOnlyMemory:
        """A backend holding exactly ``files``."""
        backend = cls()
        for path, data in files.items():
            MemoryBackend.write(backend, path, data, overwrite=True)
        return backend


class NoExclusiveCreate(MemoryBackend):
    """A correct backend without create-exclusive writes: the Store checks for it."""

    CAPABILITIES = CapabilitySet(MemoryBackend.CAPABILITIES - {Capability.EXCLUSIVE_CREATE})


class ChecksDestinationFirst(MemoryBackend):
    """Native move/copy refuse an existing destination before looking at the source."""

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._refuse_destination(dst, overwrite)
        super().move(src, dst, overwrite=overwrite)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._refuse_destination(dst, overwrite)
        super().copy(src, dst, overwrite=overwrite)

    def _refuse_destination(self, dst: str, overwrite: bool) -> None:
        if not overwrite and self.is_file(dst):
            raise AlreadyExists("destination exists", path=dst, backend=self.name)


class UnsortedGlob(MemoryBackend):
    """Declares GLOB and finds the right files, in reverse order."""

    CAPABILITIES = CapabilitySet(MemoryBackend.CAPABILITIES | {Capability.GLOB})

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return iter(sorted(glob_by_listing(self, pattern), key=lambda i: str(i.path), reverse=True))


class PhantomFolders(MemoryBackend):
    """Lists folders, but ``exists``/``is_folder`` only know files (a half-flat store)."""

    def exists(self, path: str) -> bool:
        return path == "" or self.is_file(path)

    def is_folder(self, path: str) -> bool:
        return path == ""


class StickyMetadata(MemoryBackend):
    """Remembers user metadata by path: it survives delete + re-create and bare overwrites."""

    def __init__(self) -> None:
        super().__init__()
        self._remembered: dict[str, Mapping[str, str]] = {}

    def write(
        self,
        path: str,
        content: object,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        if metadata:
            self._remembered[path] = dict(metadata)
        metadata = metadata or self._remembered.get(path)
        return super().write(path, content, overwrite=overwrite, metadata=metadata)  # type: ignore[arg-type]


class CopyThenDeleteMove(MemoryBackend):
    """Declares ATOMIC_MOVE, yet moves by copying, then deleting the source a moment later."""

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self.copy(src, dst, overwrite=overwrite)
        time.sleep(0.05)
        self.delete(src)


class VisibleTemporaryAtomicWrite(MemoryBackend):
    """``write_atomic`` uploads to a visible temporary sibling, then renames it."""

    def write_atomic(
        self,
        path: str,
        content: object,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        folder, _, name = path.rpartition("/")
        temp = f"{folder}/.tmp-{name}" if folder else f".tmp-{name}"
        super().write(temp, content, overwrite=True)  # type: ignore[arg-type]
        time.sleep(0.05)
        super().move(temp, path, overwrite=overwrite)
        return WriteResult(path, len(self.read_bytes(path)), "basic")


class PartialAtomicWrite(MemoryBackend):
    """``write_atomic`` publishes the first half of the content, then the whole."""

    def write_atomic(
        self,
        path: str,
        content: object,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        data = content if isinstance(content, bytes) else b"".join(iter_content(content))  # type: ignore[arg-type]
        super().write(path, data[: len(data) // 2], overwrite=overwrite)
        time.sleep(0.05)
        return super().write(path, data, overwrite=True)


class LeavesTemporaryOnFailure(MemoryBackend):
    """A streamed write goes to a temporary sibling, left behind when the source fails."""

    def write(
        self,
        path: str,
        content: object,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        if isinstance(content, (bytes, bytearray, memoryview)):
            return super().write(path, content, overwrite=overwrite, metadata=metadata)
        folder, _, name = path.rpartition("/")
        temp = f"{folder}/.part-{name}" if folder else f".part-{name}"
        received: list[bytes] = []
        try:
            for chunk in iter_content(content):  # type: ignore[arg-type]
                received.append(chunk)
        except Exception:
            super().write(temp, b"".join(received), overwrite=True)
            raise
        return super().write(path, b"".join(received), overwrite=overwrite, metadata=metadata)


class PercentEncodedListing(MemoryBackend):
    """Stores names faithfully but lists them percent-encoded, as a URL would carry them."""

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        for info in super().list_files(path, recursive=recursive, max_depth=max_depth):
            encoded = quote(str(info.path), safe="/")
            yield dataclasses.replace(
                info, path=RemotePath(encoded), name=encoded.rpartition("/")[2]
            )


class ShippedMemory(MemoryBackend):
    """The memory backend exactly as shipped: a correct backend, for flake counts."""
