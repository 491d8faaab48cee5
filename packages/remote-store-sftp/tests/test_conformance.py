"""The conformance kit certifies ``sftp`` against both servers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from remote_store_conformance import BackendConformance
from remote_store_sftp import SFTPBackend

from .conftest import SSHServer


class TestSFTPConformanceOpenSSH(BackendConformance):
    backend_type = "sftp"

    @pytest.fixture
    def rs_backend_factory(self, sshd_server: SSHServer) -> Callable[[], SFTPBackend]:
        return lambda: sshd_server.backend()


class TestSFTPConformanceAsyncSSH(BackendConformance):
    backend_type = "sftp"
    rs_secrets = ("s3cret-Pw!",)

    @pytest.fixture
    def rs_backend_factory(self, asyncssh_server: SSHServer) -> Callable[[], SFTPBackend]:
        return lambda: asyncssh_server.backend(key_filename=None, password="s3cret-Pw!")
