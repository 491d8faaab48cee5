"""Fixtures: one Azurite (Blob API) on loopback per session, fresh containers per test
(deleted after the test, since the emulator keeps everything in memory)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_store_azure import AsyncAzureBackend, AzureBackend
from remote_store_azure.emulator import Azurite, AzuriteUnavailable, find_azurite
from remote_store_conformance.servers import server_missing

REPO = Path(__file__).resolve().parents[3]


class Emulator:
    """The session's Azurite, with helpers that make containers and backends."""

    def __init__(self, server: Azurite) -> None:
        self.server = server
        self.connection_string = server.connection_string
        self.account_url = server.account_url
        self.created: list[str] = []

    def service(self) -> Any:
        """A sync SDK service client (for set-up and out-of-band checks)."""
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient.from_connection_string(self.connection_string)

    def new_container(self) -> str:
        """A fresh, empty container."""
        name = f"t{uuid.uuid4().hex[:24]}"
        self.server.create_container(name)
        self.created.append(name)
        return name

    def drop_containers(self) -> None:
        """Delete the containers made so far."""
        names, self.created = self.created, []
        with self.service() as service:
            for name in names:
                try:
                    service.delete_container(name)
                except Exception:
                    pass

    def backend(self, container: str | None = None, **options: Any) -> AzureBackend:
        """A sync backend on ``container`` (a fresh one by default)."""
        options.setdefault("connection_string", self.connection_string)
        return AzureBackend(container or self.new_container(), **options)

    def async_backend(self, container: str | None = None, **options: Any) -> AsyncAzureBackend:
        """An async backend on ``container`` (a fresh one by default)."""
        options.setdefault("connection_string", self.connection_string)
        return AsyncAzureBackend(container or self.new_container(), **options)


@pytest.fixture(scope="session")
def azurite() -> Iterator[Emulator]:
    """Azurite, started lazily once per session (repo's .tools/node first, then PATH)."""
    binary = find_azurite([REPO])
    if binary is None:
        server_missing("azurite-blob is not installed (bash .ci/system-deps.sh installs it)")
    try:
        server = Azurite.start(binary)
    except AzuriteUnavailable as exc:
        server_missing(str(exc))
    with server:
        yield Emulator(server)


@pytest.fixture(autouse=True)
def _drop_containers(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "azurite" in request.fixturenames:
        request.getfixturevalue("azurite").drop_containers()


@pytest.fixture
def backend(azurite: Emulator) -> Iterator[AzureBackend]:
    """A sync backend on a fresh container, closed afterwards."""
    made = azurite.backend()
    yield made
    made.close()


@pytest.fixture
def make_backend(azurite: Emulator) -> Iterator[Callable[..., AzureBackend]]:
    """``make_backend(**options)``: sync backends on fresh containers, closed afterwards."""
    made: list[AzureBackend] = []

    def make(**options: Any) -> AzureBackend:
        made.append(azurite.backend(**options))
        return made[-1]

    yield make
    for item in made:
        item.close()
