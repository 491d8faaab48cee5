"""The HNS (ADLS Gen2) leg against a real account: opt-in, never against Azurite.

No emulator speaks the DataLake API, so these tests run only when
``RS_AZURE_HNS_CONNECTION_STRING`` names a storage account with a hierarchical namespace.
Without it they skip, also under CI: that skip is expected, not a missing test server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from remote_store import Backend, Capability, Store
from remote_store.errors import AlreadyExists
from remote_store_azure import AzureBackend
from remote_store_conformance import BackendConformance

ENV = "RS_AZURE_HNS_CONNECTION_STRING"
SKIP_REASON = (
    f"opt-in live HNS test: set {ENV} to an ADLS Gen2 account's connection string "
    "(skipped on purpose, also under CI: no emulator serves the DataLake API)"
)


@pytest.fixture
def hns_factory() -> Iterator[Callable[[], AzureBackend]]:
    """Backends with ``hns=True`` on fresh file systems, deleted afterwards."""
    connection_string = os.environ.get(ENV)
    if not connection_string:
        pytest.skip(SKIP_REASON)
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(connection_string)
    made: list[tuple[str, AzureBackend]] = []

    def make() -> AzureBackend:
        name = f"rs-hns-{uuid.uuid4().hex[:16]}"
        service.create_container(name)
        backend = AzureBackend(name, connection_string=connection_string, hns=True)
        made.append((name, backend))
        return backend

    yield make
    for name, backend in made:
        backend.close()
        service.delete_container(name)
    service.close()


def test_hns_directories_rename_and_recursive_delete(
    hns_factory: Callable[[], AzureBackend],
) -> None:
    backend = hns_factory()
    assert Capability.ATOMIC_MOVE in backend.capabilities
    store = Store(backend, _owns=False)
    store.write("d/e/f.txt", b"f", metadata={"k": "v"})
    assert store.is_folder("d/e")
    store.move("d/e/f.txt", "moved/g.txt")
    assert store.read_bytes("moved/g.txt") == b"f"
    assert dict(store.get_file_info("moved/g.txt").metadata or {}) == {"k": "v"}
    assert store.is_folder("d/e")  # a real directory outlives its last file
    store.write("x.txt", b"x")
    with pytest.raises(AlreadyExists):
        store.move("moved/g.txt", "x.txt")
    store.delete_folder("d", recursive=True)
    assert not store.exists("d")


def test_hns_auto_detection(hns_factory: Callable[[], AzureBackend]) -> None:
    backend = hns_factory()
    container = backend.resolve("").details["container"]
    auto = AzureBackend(container, connection_string=os.environ[ENV], hns="auto")
    try:
        assert auto.exists("")
        assert Capability.ATOMIC_MOVE in auto.capabilities
    finally:
        auto.close()


class TestAzureHnsConformance(BackendConformance):
    """The whole kit on an HNS account (opt-in, like the tests above)."""

    backend_type = "azure"

    @pytest.fixture
    def rs_backend_factory(self, hns_factory: Callable[[], AzureBackend]) -> Callable[[], Backend]:
        return hns_factory
