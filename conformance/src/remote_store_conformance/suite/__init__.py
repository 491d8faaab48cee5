"""The conformance suite: every rule, grouped by area, combined into one base class."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from remote_store import Backend

from remote_store_conformance.suite._atomic import AtomicRules
from remote_store_conformance.suite._base import ConformanceBase, FolderSemantics
from remote_store_conformance.suite._conditional import BulkDeleteRules, ConditionalWriteRules
from remote_store_conformance.suite._delete import DeleteRules
from remote_store_conformance.suite._errors import ErrorRules
from remote_store_conformance.suite._identity import IdentityRules
from remote_store_conformance.suite._listing import ListingRules
from remote_store_conformance.suite._metadata import MetadataRules
from remote_store_conformance.suite._names import NameRules
from remote_store_conformance.suite._queries import QueryRules
from remote_store_conformance.suite._read import ReadRules
from remote_store_conformance.suite._refusals import RefusalRules
from remote_store_conformance.suite._stateful import StatefulRules
from remote_store_conformance.suite._streaming import StreamingRules
from remote_store_conformance.suite._transfer import TransferRules
from remote_store_conformance.suite._write import WriteResultRules, WriteRules

__all__ = ["AsyncBackendConformance", "BackendConformance", "FolderSemantics"]


class BackendConformance(
    IdentityRules,
    QueryRules,
    ReadRules,
    WriteRules,
    WriteResultRules,
    ConditionalWriteRules,
    AtomicRules,
    DeleteRules,
    BulkDeleteRules,
    ListingRules,
    NameRules,
    MetadataRules,
    TransferRules,
    ErrorRules,
    StreamingRules,
    RefusalRules,
    StatefulRules,
    ConformanceBase,
):
    """Subclass it in a ``Test*`` class and define the ``rs_backend_factory`` fixture
    (a zero-argument callable returning a fresh, empty backend) to certify a backend.

    Read-only backends also define ``rs_seeded_backend_factory`` (a callable taking a
    ``{path: bytes}`` mapping and returning a backend that sees exactly those files).
    """


class AsyncBackendConformance(BackendConformance):
    """The same rules against an async backend, bridged by ``AsyncBackendSyncAdapter``.

    Define ``rs_async_backend_factory`` (a zero-argument callable returning a fresh,
    empty ``remote_store.aio.AsyncBackend``).
    """

    @pytest.fixture
    def rs_backend_factory(
        self, rs_async_backend_factory: Callable[[], object]
    ) -> Callable[[], Backend]:
        """Each async backend wrapped into a sync one, so every rule body is shared."""
        from remote_store.aio import AsyncBackendSyncAdapter

        return lambda: AsyncBackendSyncAdapter(rs_async_backend_factory())  # type: ignore[arg-type]
