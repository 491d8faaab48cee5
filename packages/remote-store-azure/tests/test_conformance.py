"""The conformance kit certifies both Azure backends against Azurite (flat namespace)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from remote_store import Backend
from remote_store.aio import AsyncBackend
from remote_store_azure.emulator import ACCOUNT_KEY
from remote_store_conformance import AsyncBackendConformance, BackendConformance


class TestAzureConformance(BackendConformance):
    """``AzureBackend`` (sync): folders exist only while they hold blobs."""

    backend_type = "azure"
    rs_secrets = (ACCOUNT_KEY,)

    @pytest.fixture
    def rs_backend_factory(self, azurite: Any) -> Callable[[], Backend]:
        factory: Callable[[], Backend] = azurite.backend
        return factory


class TestAsyncAzureConformance(AsyncBackendConformance):
    """``AsyncAzureBackend``, bridged to the sync rules by the kit."""

    backend_type = "azure"
    rs_secrets = (ACCOUNT_KEY,)

    @pytest.fixture
    def rs_async_backend_factory(self, azurite: Any) -> Callable[[], AsyncBackend]:
        factory: Callable[[], AsyncBackend] = azurite.async_backend
        return factory
