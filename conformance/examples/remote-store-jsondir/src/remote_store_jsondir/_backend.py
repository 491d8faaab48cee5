"""JsonDirBackend: one JSON document per file in a flat folder, streamed both ways.

Document layout (valid JSON, written and read line by line so content streams)::

    {"metadata": {...},
    "data": "<base64 of the content>",
    "size": 123}
"""

from __future__ import annotations

import base64
import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import BinaryIO
from urllib.parse import quote, unquote

from remote_store import (
    Backend,
    Capability,
    CapabilitySet,
    FileInfo,
    FolderEntry,
    RemotePath,
    WriteResult,
)
from remote_store.errors import AlreadyExists, DirectoryNotEmpty, InvalidPath, NotFound

__all__ = ["JsonDirBackend"]

_SUFFIX = ".json"
_TEMP = ".tmp-"
_DATA = b'"data": "'
_CHUNK = 3 * 256 * 1024  # a multiple of 3, so chunks encode without padding


class _Base64Reader(io.RawIOBase):
    """Decodes the ``data`` line of a document as it is read."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._done = False
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            text = self._handle.read(4 * 64 * 1024)
            end = text.find(b'"')
            if end >= 0 or not text:
                text, self._done = text[: max(end, 0)], True
            self._pending = base64.b64decode(text)
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def close(self) -> None:
        self._handle.close()
        super().close()


class JsonDirBackend(Backend):
    """Files as JSON documents under ``root``; folders are key prefixes."""

    CAPABILITIES = CapabilitySet(
        {
            Capability.READ,
            Capability.WRITE,
            Capability.DELETE,
            Capability.LIST,
            Capability.MOVE,
            Capability.COPY,
            Capability.ATOMIC_WRITE,
            Capability.METADATA,
            Capability.USER_METADATA,
            Capability.EXCLUSIVE_CREATE,
        }
    )

    def __init__(self, root: str) -> None:
        os.makedirs(root, exist_ok=True)
        self._root = os.path.realpath(root)

    @property
    def name(self) -> str:
        return "jsondir"

    def __repr__(self) -> str:
        return f"JsonDirBackend(root={self._root!r})"

    def _doc(self, key: str) -> str:
        return os.path.join(self._root, quote(key, safe="") + _SUFFIX)

    def _keys(self) -> list[str]:
        names = os.listdir(self._root)
        keys = [unquote(n[: -len(_SUFFIX)]) for n in names if n.endswith(_SUFFIX)]
        return sorted(k for k in keys if not k.startswith(_TEMP))

    # -- reads --------------------------------------------------------------------------

    def _open(self, key: str) -> BinaryIO:
        try:
            handle = open(self._doc(key), "rb")  # noqa: SIM115 - the reader owns it
        except FileNotFoundError:
            raise NotFound("file not found", path=key, backend=self.name) from None
        handle.readline()  # the metadata line
        if handle.read(len(_DATA)) != _DATA:
            handle.close()
            raise InvalidPath("not a jsondir document", path=key, backend=self.name)
        return handle

    def read(self, path: str) -> BinaryIO:
        return io.BufferedReader(_Base64Reader(self._open(path)))

    def get_file_info(self, path: str) -> FileInfo:
        try:
            with open(self._doc(path), "rb") as handle:
                meta = json.loads(handle.readline()[len(b'{"metadata": ') : -2])
                handle.seek(max(os.fstat(handle.fileno()).st_size - 64, 0))
                size = json.loads(b"{" + handle.read().rpartition(b",\n")[2])["size"]
                mtime = os.fstat(handle.fileno()).st_mtime
        except FileNotFoundError:
            if self.is_folder(path):
                raise InvalidPath("is a folder", path=path, backend=self.name) from None
            raise NotFound("file not found", path=path, backend=self.name) from None
        return FileInfo(
            path=RemotePath(path),
            name=path.rpartition("/")[2],
            size=size,
            modified_at=datetime.fromtimestamp(mtime, UTC),
            metadata=meta or None,
        )

    def is_file(self, path: str) -> bool:
        return path != "" and os.path.isfile(self._doc(path))

    def is_folder(self, path: str) -> bool:
        prefix = path + "/" if path else ""
        return path == "" or any(k.startswith(prefix) for k in self._keys())

    def exists(self, path: str) -> bool:
        return self.is_file(path) or self.is_folder(path)

    # -- writes -------------------------------------------------------------------------

    def write(
        self,
        path: str,
        content: object,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        fd, temp = tempfile.mkstemp(prefix=_TEMP, suffix=".part", dir=self._root)
        try:
            with os.fdopen(fd, "wb") as out:
                size = self._encode(content, out, metadata)
            if overwrite:
                os.replace(temp, self._doc(path))
            else:
                try:
                    os.link(temp, self._doc(path))  # create-exclusive: one racer wins
                except FileExistsError:
                    raise AlreadyExists("file exists", path=path, backend=self.name) from None
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        return WriteResult(path=path, size=size, metadata=dict(metadata) if metadata else None)

    write_atomic = write  # documents are published by one rename or link

    @staticmethod
    def _encode(content: object, out: BinaryIO, metadata: Mapping[str, str] | None) -> int:
        out.write(b'{"metadata": ' + json.dumps(dict(metadata or {})).encode() + b",\n")
        out.write(_DATA)
        size, carry = 0, b""
        for chunk in _chunks(content):
            size += len(chunk)
            data = carry + chunk
            cut = len(data) - len(data) % 3
            out.write(base64.b64encode(data[:cut]))
            carry = data[cut:]
        out.write(base64.b64encode(carry) + b'",\n' + f'"size": {size}}}\n'.encode())
        return size

    # -- deletes ------------------------------------------------------------------------

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        try:
            os.unlink(self._doc(path))
        except FileNotFoundError:
            if not missing_ok:
                raise NotFound("file not found", path=path, backend=self.name) from None

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        if self.is_file(path):
            raise InvalidPath("is a file", path=path, backend=self.name)
        below = [k for k in self._keys() if k.startswith(path + "/")]
        if not below:
            if missing_ok:
                return
            raise NotFound("folder not found", path=path, backend=self.name)
        if not recursive:
            raise DirectoryNotEmpty("folder is not empty", path=path, backend=self.name)
        for key in below:
            self.delete(key, missing_ok=True)

    # -- listings -----------------------------------------------------------------------

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        prefix = path + "/" if path else ""
        limit = max_depth if max_depth is not None else (None if recursive else 0)
        for key in self._keys():
            if key.startswith(prefix):
                depth = key.count("/", len(prefix))
                if limit is None or depth <= limit:
                    yield self.get_file_info(key)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        prefix = path + "/" if path else ""
        names = {k[len(prefix) :].partition("/")[0] for k in self._keys() if k.startswith(prefix)}
        for name in sorted(n for n in names if self.is_folder(prefix + n)):
            yield FolderEntry(RemotePath(prefix + name), name)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        entries: list[FileInfo | FolderEntry] = [*self.list_files(path), *self.list_folders(path)]
        entries.sort(key=lambda e: str(e.path) + ("/" if isinstance(e, FolderEntry) else ""))
        yield from entries


def _chunks(content: object) -> Iterator[bytes]:
    if isinstance(content, (bytes, bytearray, memoryview)):
        data = bytes(content)
        for start in range(0, len(data), _CHUNK):
            yield data[start : start + _CHUNK]
        return
    read = content.read  # type: ignore[attr-defined]
    while chunk := read(_CHUNK):
        yield chunk
