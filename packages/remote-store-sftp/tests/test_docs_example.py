"""The example of docs/backends/sftp.md runs as written against the asyncssh server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import SSHServer

DOC = Path(__file__).resolve().parents[3] / "docs" / "backends" / "sftp.md"


def test_docs_example_runs(asyncssh_server: SSHServer, tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    toml = re.search(r"```toml\n(.*?)```", text, re.S)
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert toml and code
    (tmp_path / "sftp.toml").write_text(toml.group(1))
    _, base = asyncssh_server.new_folder()
    env = dict(
        os.environ,
        SFTP_HOST="127.0.0.1",
        SFTP_PORT=str(asyncssh_server.port),
        SFTP_USER="tester",
        SFTP_KEY_FILE=asyncssh_server.key_path,
        SFTP_KNOWN_HOST=asyncssh_server.host_key_line,
        SFTP_BASE=base,
    )
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "['2024/q1.csv', '2024/q2.csv']"
