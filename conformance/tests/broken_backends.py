"""Deliberately broken backends: the kit must catch each one (copied into meta-test runs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO

from remote_store import Capability, CapabilitySet, FileInfo, WriteResult
from remote_store.backend import WritableContent, iter_content
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

        return io.BytesIO(self._files[path].data)

    def read_bytes(self, path: str) -> bytes:
        return self._files[path].data

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
