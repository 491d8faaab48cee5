"""Fixtures for the extension tests: every test runs over a local and a memory store."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from remote_store import FileInfo, Store
from remote_store.backends import LocalBackend, MemoryBackend

BACKENDS = ["local", "memory"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store over a fresh local folder or a fresh memory backend."""
    backend: Any
    if request.param == "local":
        backend = LocalBackend(root=tmp_path / "store-root")
    else:
        backend = MemoryBackend()
    with Store(backend) as result:
        yield result


@pytest.fixture
def tree(store: Store) -> Store:
    """``store`` holding a small tree."""
    store.write("a.txt", b"A")
    store.write("docs/readme.md", b"readme")
    store.write("docs/guide/intro.md", b"intro")
    store.write("docs/guide/deep/x.md", b"xx")
    store.write("data/2026/jan.csv", b"1,2\n")
    return store


class BrokenStream(io.RawIOBase):
    """Yields ``good`` bytes, then fails with ``OSError`` like a dropped connection."""

    def __init__(self, good: bytes) -> None:
        super().__init__()
        self._good = io.BytesIO(good)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._good.read(len(buffer))
        if not data:
            raise ConnectionResetError(104, "connection reset by peer")
        buffer[: len(data)] = data
        return len(data)


class FlakyMemoryBackend(MemoryBackend):
    """A memory backend whose reads of ``broken/*`` and listings of ``broken`` fail
    part-way, as a network backend does when the connection drops."""

    def read(self, path: str) -> BinaryIO:
        if path.startswith("broken/"):
            data = super().read_bytes(path)
            return BrokenStream(data[: len(data) // 2])  # type: ignore[return-value]
        return super().read(path)

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        for count, info in enumerate(
            super().list_files(path, recursive=recursive, max_depth=max_depth)
        ):
            if path == "broken" and count == 2:
                raise ConnectionResetError(104, "connection reset by peer")
            yield info


@pytest.fixture
def flaky_store() -> Store:
    store = Store(FlakyMemoryBackend())
    for name in ("a", "b", "c", "d"):
        store.write(f"broken/{name}.bin", bytes(range(256)) * 16)
    return store
