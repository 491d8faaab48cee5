"""``pytest --rs-conformance=sftp`` certifies the backend against OpenSSH and asyncssh,
each run on one shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from remote_store_conformance.oneshot import QUICK, certify_from_command_line, describe

from .conftest import SSHServer

#: A whole certification run in a subprocess: longer than a unit test.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]


@pytest.mark.parametrize("server", ["sshd_server", "asyncssh_server"])
def test_one_command_certifies_sftp(
    server: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ssh: SSHServer = request.getfixturevalue(server)
    local, base_path = ssh.new_folder()
    options = {
        "host": "127.0.0.1",
        "port": ssh.port,
        "username": ssh.username,
        "key_filename": ssh.key_path,
        "known_host_keys": ssh.host_key_line,
        "base_path": base_path,
    }
    run = certify_from_command_line("sftp", options, tmp_path, *QUICK)
    assert run.certified, describe(run)
    assert list(Path(local).iterdir()) == []  # the shared folder is left empty
