"""The conformance kit certifies sql-blob on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from remote_store_conformance import BackendConformance
from remote_store_sql import SQLBlobBackend

from .conftest import Factory


class TestSQLBlobSQLite(BackendConformance):
    backend_type = "sql-blob"

    @pytest.fixture
    def rs_backend_factory(self, tmp_path: Path) -> Callable[[], SQLBlobBackend]:
        return lambda: SQLBlobBackend(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.db")


class TestSQLBlobPostgreSQL(BackendConformance):
    backend_type = "sql-blob"

    @pytest.fixture
    def rs_backend_factory(self, pg_backend_factory: Factory) -> Callable[[], SQLBlobBackend]:
        return pg_backend_factory


class TestSQLBlobMariaDB(BackendConformance):
    backend_type = "sql-blob"

    @pytest.fixture
    def rs_backend_factory(self, mariadb_backend_factory: Factory) -> Callable[[], SQLBlobBackend]:
        return mariadb_backend_factory
