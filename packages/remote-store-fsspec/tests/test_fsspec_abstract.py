"""fsspec's own abstract test suite (copy, get, put, open, pipe) over memory, local and S3
(moto) stores.

Skips, all from one fixture: ``supports_empty_directories`` is False, because a Store has no
"make folder" operation (folders exist while they hold files, as on S3), so ``makedirs``
creates nothing and the suite's checks that an empty target folder exists after
``makedirs`` do not apply; the suite then runs its variant for such filesystems.
"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec.tests.abstract as abstract
import pytest
from remote_store import Store
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store_fsspec import StoreFileSystem


class _StoreFixtures(abstract.AbstractFixtures):  # type: ignore[misc]
    @pytest.fixture
    def fs_join(self) -> object:
        return posixpath.join

    @pytest.fixture
    def fs_path(self) -> str:
        return f"suite-{uuid.uuid4().hex[:8]}"

    @pytest.fixture
    def supports_empty_directories(self) -> bool:
        return False


class MemoryFixtures(_StoreFixtures):
    @pytest.fixture
    def fs(self) -> StoreFileSystem:
        return StoreFileSystem(Store(MemoryBackend()))


class LocalFixtures(_StoreFixtures):
    @pytest.fixture
    def fs(self, tmp_path: Path) -> Iterator[StoreFileSystem]:
        root = tmp_path / "store"
        root.mkdir()
        with Store(LocalBackend(str(root))) as store:
            yield StoreFileSystem(store)


class S3Fixtures(_StoreFixtures):
    @pytest.fixture
    def fs(self, s3_store: Store) -> StoreFileSystem:
        return StoreFileSystem(s3_store)


class TestMemoryCopy(abstract.AbstractCopyTests, MemoryFixtures): ...  # type: ignore[misc]


class TestMemoryGet(abstract.AbstractGetTests, MemoryFixtures): ...  # type: ignore[misc]


class TestMemoryPut(abstract.AbstractPutTests, MemoryFixtures): ...  # type: ignore[misc]


class TestMemoryOpen(abstract.AbstractOpenTests, MemoryFixtures): ...  # type: ignore[misc]


class TestMemoryPipe(abstract.AbstractPipeTests, MemoryFixtures): ...  # type: ignore[misc]


class TestLocalCopy(abstract.AbstractCopyTests, LocalFixtures): ...  # type: ignore[misc]


class TestLocalGet(abstract.AbstractGetTests, LocalFixtures): ...  # type: ignore[misc]


class TestLocalPut(abstract.AbstractPutTests, LocalFixtures): ...  # type: ignore[misc]


class TestLocalOpen(abstract.AbstractOpenTests, LocalFixtures): ...  # type: ignore[misc]


class TestLocalPipe(abstract.AbstractPipeTests, LocalFixtures): ...  # type: ignore[misc]


class TestS3Copy(abstract.AbstractCopyTests, S3Fixtures): ...  # type: ignore[misc]


class TestS3Get(abstract.AbstractGetTests, S3Fixtures): ...  # type: ignore[misc]


class TestS3Put(abstract.AbstractPutTests, S3Fixtures): ...  # type: ignore[misc]


class TestS3Open(abstract.AbstractOpenTests, S3Fixtures): ...  # type: ignore[misc]


class TestS3Pipe(abstract.AbstractPipeTests, S3Fixtures): ...  # type: ignore[misc]
