"""Fixtures: a CLI runner (in-process and as a subprocess), config files, moto's S3."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from remote_store_cli import main
from remote_store_conformance.atomic_moto import make_puts_atomic
from remote_store_conformance.servers import server_missing

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    """Runs ``remote-store`` in-process (``main``), with a config file and a work folder."""

    def __init__(self, config: Path, cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.config, self.cwd, self._capsys = config, cwd, capsys

    def __call__(self, *args: str) -> Result:
        self._capsys.readouterr()
        old = os.getcwd()
        os.chdir(self.cwd)
        try:
            code = main(["--config", str(self.config), *args])
        finally:
            os.chdir(old)
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)


def run_process(args: list[str], cwd: Path, **env: str) -> Result:
    """``args`` as a child process (stdin closed, no terminal)."""
    done = subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def script() -> str:
    """The installed console script next to this interpreter."""
    path = Path(sys.executable).parent / "remote-store"
    assert path.exists(), "the remote-store console script is not installed"
    return str(path)


def write_config(path: Path, root: Path, extra: str = "") -> Path:
    path.write_text(
        f"""
[backends.disk]
type = "local"
options = {{ root = "{root}" }}

[backends.ram]
type = "memory"

[stores.box]
backend = "disk"
root_path = "box"

[stores.other]
backend = "disk"
root_path = "other"

[stores.mem]
backend = "ram"
{extra}
"""
    )
    return path


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "remote-store.toml", tmp_path / "root")


@pytest.fixture
def cli(config: Path, work: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(config, work, capsys)


@dataclass
class Moto:
    url: str

    def new_bucket(self) -> str:
        import boto3

        name = f"cli-{uuid.uuid4().hex[:16]}"
        client = boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
        )
        client.create_bucket(Bucket=name)
        return name

    def config_block(self, bucket: str) -> str:
        return f"""
[backends.s3]
type = "s3"
options = {{ bucket = "{bucket}", endpoint_url = "{self.url}", key = "x", secret = "y" }}
retry = {{ max_attempts = 2, backoff_base = 0.01, backoff_max = 0.02, jitter = 0.0 }}

[stores.s3]
backend = "s3"
"""


@pytest.fixture(scope="session")
def moto() -> Iterator[Moto]:
    """moto's S3 server in a thread on 127.0.0.1."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        server_missing(f"moto server is not installed ({exc})")
    make_puts_atomic()  # S3 decides a conditional PUT atomically; moto must too
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
        _, port = server.get_host_and_port()
    except OSError as exc:  # pragma: no cover
        server_missing(f"moto server did not start: {exc}")
    try:
        yield Moto(url=f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@pytest.fixture
def s3_cli(moto: Moto, tmp_path: Path, work: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    path = write_config(
        tmp_path / "s3.toml", tmp_path / "root", moto.config_block(moto.new_bucket())
    )
    return Cli(path, work, capsys)


@pytest.fixture
def s3_bucket(moto: Moto) -> str:
    return moto.new_bucket()


@pytest.fixture
def s3_config(moto: Moto, s3_bucket: str, tmp_path: Path) -> Path:
    """A config with the local profiles and ``s3`` on a fresh bucket."""
    return write_config(tmp_path / "s3.toml", tmp_path / "root", moto.config_block(s3_bucket))


@pytest.fixture
def s3_client(moto: Moto) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


@pytest.fixture
def proc(work: Path) -> Any:
    """Run the installed ``remote-store`` script (or ``python -m`` forms) in ``work``."""

    def run(*args: str, module: str | None = None, **env: str) -> Result:
        head = [sys.executable, "-m", module] if module else [script()]
        return run_process([*head, *args], work, **env)

    return run
