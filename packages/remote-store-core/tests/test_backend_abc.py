"""The Backend ABC's defaults, exercised through a minimal third-party style backend."""

from __future__ import annotations

import errno
import io
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO

import pytest
from remote_store import (
    AlreadyExists,
    Backend,
    BackendUnavailable,
    Capability,
    CapabilityNotSupported,
    CapabilitySet,
    DirectoryNotEmpty,
    FileInfo,
    FolderEntry,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemotePath,
    RemoteStoreError,
    Store,
    WriteResult,
)
from remote_store._backend import join_key, parent_key
from remote_store._streams import iter_content

NOW = datetime(2026, 1, 2, tzinfo=UTC)


class FlatBackend(Backend):
    """Flat keys in a dict; streams that do not seek; only the primitives written."""

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
        }
    )

    def __init__(self) -> None:
        self.blobs: dict[str, tuple[bytes, dict[str, str] | None]] = {}

    @property
    def name(self) -> str:
        return "flat"

    def read(self, path: str) -> BinaryIO:
        if path not in self.blobs:
            raise FileNotFoundError(errno.ENOENT, "no such key")
        return _Unseekable(self.blobs[path][0])  # type: ignore[return-value]

    def get_file_info(self, path: str) -> FileInfo:
        if path not in self.blobs:
            if any(k.startswith(path + "/") for k in self.blobs):
                raise InvalidPath("a folder", path=path, backend=self.name)
            raise NotFound("missing", path=path, backend=self.name)
        data, metadata = self.blobs[path]
        return FileInfo(
            RemotePath._trusted(path), path.rpartition("/")[2], len(data), NOW, metadata=metadata
        )

    def write(
        self,
        path: str,
        content: Any,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        if not overwrite and path in self.blobs:
            raise AlreadyExists("exists", path=path, backend=self.name)
        data = b"".join(iter_content(content))
        self.blobs[path] = (data, dict(metadata) if metadata else None)
        return WriteResult(path=path, size=len(data))

    write_atomic = write

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        if self.blobs.pop(path, None) is None and not missing_ok:
            raise NotFound("missing", path=path, backend=self.name)

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        prefix = path + "/" if path else ""
        for key in sorted(self.blobs):
            if key.startswith(prefix) and (recursive or "/" not in key[len(prefix) :]):
                yield self.get_file_info(key)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        prefix = path + "/" if path else ""
        names = {k[len(prefix) :].split("/")[0] for k in self.blobs if k.startswith(prefix)}
        for name in sorted(n for n in names if join_key(path, n) not in self.blobs):
            yield FolderEntry(RemotePath._trusted(join_key(path, name)), name)


class _Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)


class MinimalBackend(Backend):
    """Only the abstract methods: everything else must refuse politely."""

    @property
    def name(self) -> str:
        return "minimal"

    def read(self, path: str) -> BinaryIO:
        raise NotFound("nothing", path=path, backend=self.name)

    def get_file_info(self, path: str) -> FileInfo:
        raise NotFound("nothing", path=path, backend=self.name)


@pytest.fixture
def flat() -> Store:
    store = Store(FlatBackend())
    store.write("a.txt", b"A")
    store.write("dir/b.txt", b"BB", metadata={"k": "v"})
    store.write("dir/sub/c.txt", b"CCC")
    return store


def test_derived_queries(flat: Store) -> None:
    assert flat.exists("a.txt") and flat.is_file("a.txt") and not flat.is_folder("a.txt")
    assert flat.exists("dir") and flat.is_folder("dir") and not flat.is_file("dir")
    assert not flat.exists("ghost")
    assert flat.is_folder("") and flat.exists("") and not flat.is_file("")


def test_default_read_bytes_and_spooled_read_seekable(flat: Store) -> None:
    assert flat.read_bytes("dir/sub/c.txt") == b"CCC"
    with flat.read_seekable("dir/sub/c.txt") as stream:
        assert stream.seekable()
        stream.seek(1)
        assert stream.read() == b"CC"
    with flat.read("a.txt") as raw:
        assert not raw.seekable()


def test_native_errors_are_mapped_by_errno(flat: Store) -> None:
    with pytest.raises(NotFound) as info:
        flat.read("ghost")
    assert info.value.backend == "flat"
    assert info.value.path == "ghost"


def test_default_open_atomic_spools_then_commits(flat: Store) -> None:
    context = flat.open_atomic("new.txt", metadata={"a": "b"})
    with context as sink:
        sink.write(b"spooled")
        assert not flat.exists("new.txt")
    assert flat.read_bytes("new.txt") == b"spooled"
    assert context.result is not None and context.result.size == 7
    with pytest.raises(RuntimeError), flat.open_atomic("never.txt") as sink:
        sink.write(b"x")
        raise RuntimeError
    assert not flat.exists("never.txt")


def test_default_iter_children_and_folder_info(flat: Store) -> None:
    children = [str(c.path) for c in flat.iter_children("")]
    assert children == ["a.txt", "dir"]
    info = flat.get_folder_info("dir")
    assert (info.file_count, info.total_size, info.modified_at) == (2, 5, NOW)
    with pytest.raises(NotFound):
        flat.get_folder_info("ghost")
    with pytest.raises(InvalidPath):
        flat.get_folder_info("a.txt")


def test_default_copy_and_move_keep_metadata(flat: Store) -> None:
    flat.copy("dir/b.txt", "copy.txt")
    assert flat.get_file_info("copy.txt").metadata == {"k": "v"}
    flat.move("copy.txt", "moved.txt")
    assert not flat.exists("copy.txt")
    assert flat.read_bytes("moved.txt") == b"BB"
    assert flat.get_file_info("moved.txt").metadata == {"k": "v"}
    with pytest.raises(AlreadyExists):
        flat.copy("a.txt", "moved.txt")


def test_minimal_backend_refuses_everything_it_does_not_implement() -> None:
    backend = MinimalBackend()
    assert backend.capabilities == CapabilitySet()
    assert backend.is_file("x") is False
    assert backend.is_folder("x") is False
    assert backend.is_folder("") is True
    assert backend.exists("x") is False
    refusals: list[Callable[[], object]] = [
        lambda: backend.write("x", b""),
        lambda: backend.write_atomic("x", b""),
        lambda: backend.open_atomic("x"),
        lambda: backend.delete("x"),
        lambda: backend.delete_folder("x"),
        lambda: list(backend.list_files("")),
        lambda: list(backend.list_folders("")),
        lambda: list(backend.glob("*")),
        lambda: backend.copy("a", "b"),
        lambda: backend.move("a", "b"),
        lambda: backend.unwrap(int),
    ]
    for refusal in refusals:
        with pytest.raises(CapabilityNotSupported):
            refusal()
    backend.check_health()
    assert backend.to_key("k") == "k" and backend.native_path("k") == "k"
    plan = backend.resolve("k")
    assert (plan.kind, plan.backend, plan.native_path) == ("minimal", "minimal", "k")
    with backend as entered:
        assert entered is backend


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (FileNotFoundError(errno.ENOENT, "x"), NotFound),
        (FileExistsError(errno.EEXIST, "x"), AlreadyExists),
        (PermissionError(errno.EACCES, "x"), PermissionDenied),
        (OSError(errno.ENOTEMPTY, "x"), DirectoryNotEmpty),
        (OSError(errno.EISDIR, "x"), InvalidPath),
        (OSError(errno.ELOOP, "x"), InvalidPath),
        (OSError(errno.ECONNREFUSED, "x"), BackendUnavailable),
        (FileNotFoundError(), NotFound),
        (FileExistsError(), AlreadyExists),
        (PermissionError(), PermissionDenied),
        (IsADirectoryError(), InvalidPath),
        (ConnectionResetError(), BackendUnavailable),
        (TimeoutError(), BackendUnavailable),
        (ValueError("boom"), RemoteStoreError),
    ],
    ids=repr,
)
def test_default_map_error_classifies_by_type_and_errno(
    exc: BaseException, kind: type[RemoteStoreError]
) -> None:
    mapped = MinimalBackend().map_error(exc, "p")
    assert type(mapped) is kind
    assert (mapped.path, mapped.backend) == ("p", "minimal")


def test_map_error_passes_typed_errors_through() -> None:
    error = NotFound("x")
    assert MinimalBackend().map_error(error) is error


def test_store_maps_errors_when_map_error_misbehaves() -> None:
    class Rude(MinimalBackend):
        def read(self, path: str) -> BinaryIO:
            raise KeyError(path)

        def map_error(self, exc: BaseException, path: str | None = None) -> Any:
            return exc  # not a RemoteStoreError: the Store must still not leak it

    store = Store(Rude())
    store._capabilities = CapabilitySet({Capability.READ})
    with pytest.raises(RemoteStoreError) as info:
        store.read("x")
    assert not isinstance(info.value, KeyError)
    assert info.value.__cause__ is not None


def test_errors_raised_while_reading_a_stream_are_mapped() -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise OSError(errno.ECONNRESET, "reset")

    class Flaky(MinimalBackend):
        CAPABILITIES = CapabilitySet({Capability.READ})

        def read(self, path: str) -> BinaryIO:
            return Broken()  # type: ignore[return-value]

    with Store(Flaky()).read("x") as stream:
        with pytest.raises(BackendUnavailable):
            stream.read()


def test_key_helpers() -> None:
    assert join_key("", "a") == "a"
    assert join_key("a", "b") == "a/b"
    assert parent_key("a/b/c") == "a/b"
    assert parent_key("a") == ""
