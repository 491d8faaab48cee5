"""The CLI against S3 (moto) and as a child process: the console script and both
``python -m`` forms, quiet without a terminal, exit codes across the process boundary,
and a copy killed half-way then completed by ``sync``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

FILES = {f"d{i % 4}/f{i:03}.bin": os.urandom(2048 + 61 * i) for i in range(60)}


def make_tree(folder: Path, files: dict[str, bytes] = FILES) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def bucket_contents(client: Any, bucket: str, prefix: str = "") -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            found[key[len(prefix) :]] = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return found


def bucket_sizes(client: Any, bucket: str, prefix: str) -> dict[str, int]:
    page = client.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return {item["Key"][len(prefix) :]: item["Size"] for item in page.get("Contents", [])}


def test_upload_sync_download_through_s3_in_process(
    s3_cli: Any, work: Path, s3_client: Any
) -> None:
    make_tree(work / "src")
    done = s3_cli("--json", "cp", "-r", "src", "s3:data")
    assert done.code == 0, done.out + done.err
    assert done.json()["copied"] == len(FILES)
    listing = s3_cli("--json", "ls", "-R", "s3:data").json()
    assert {e["path"]: e["size"] for e in listing} == {k: len(v) for k, v in FILES.items()}
    assert s3_cli("--json", "sync", "src", "s3:data").json()["copied"] == 0
    assert s3_cli("cp", "-r", "s3:data", "back").code == 0
    got = {
        str(p.relative_to(work / "back")): p.read_bytes()
        for p in (work / "back").rglob("*")
        if p.is_file()
    }
    assert got == FILES
    assert s3_cli("cp", "-r", "s3:data", "s3:copy").code == 0  # server-side, same bucket
    assert s3_cli("--json", "du", "-s", "s3:copy").json()[0]["files"] == len(FILES)
    assert s3_cli("rm", "-r", "s3:copy").code == 0
    assert s3_cli("--json", "ls", "s3:copy").code == 3


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["cat", "s3:missing/key"], 3),
        (["ls", "s3:../escape"], 8),
        (["cp", "nothing-here.txt", "s3:x"], 3),
        (["cp", "-r", "s3:", "s3:sub"], 8),
    ],
)
def test_s3_error_exit_codes(s3_cli: Any, args: list[str], code: int) -> None:
    done = s3_cli("--json", *args)
    assert done.code == code, done.out
    assert done.json()["error"]["exit_code"] == code


def test_unreachable_endpoint_is_exit_7_and_the_retry_is_logged(tmp_path: Path, proc: Any) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "dead.toml"
    config.write_text(
        f"""
[backends.s3]
type = "s3"
retry = {{ max_attempts = 2, backoff_base = 0.01, backoff_max = 0.01, jitter = 0.0 }}
[backends.s3.options]
bucket = "b"
endpoint_url = "http://127.0.0.1:{port}"
key = "x"
secret = "SECRETVALUE123"
[stores.dead]
backend = "s3"
"""
    )
    done = proc("--config", str(config), "ls", "dead:x")
    assert done.code == 7, done.err
    assert "retrying" in done.err and "attempt 2 of 2" in done.err
    assert "SECRETVALUE123" not in done.err + done.out
    quiet = proc("--config", str(config), "-q", "ls", "dead:x")
    assert quiet.code == 7 and "retrying" not in quiet.err


def test_console_script_and_module_forms_agree(s3_config: Path, proc: Any, work: Path) -> None:
    make_tree(work / "src", {"a.txt": b"x" * 10})
    assert proc("--config", str(s3_config), "cp", "-r", "src", "s3:m").code == 0
    outputs = [
        proc("--config", str(s3_config), "--json", "ls", "s3:m"),
        proc("--config", str(s3_config), "--json", "ls", "s3:m", module="remote_store"),
        proc("--config", str(s3_config), "--json", "ls", "s3:m", module="remote_store_cli"),
    ]
    assert [o.code for o in outputs] == [0, 0, 0]
    assert outputs[0].out == outputs[1].out == outputs[2].out
    missing = proc("--config", str(s3_config), "cat", "s3:m/nope", module="remote_store")
    assert missing.code == 3 and missing.err.startswith("remote-store: error:")


def test_config_from_environment_and_default_file(s3_config: Path, proc: Any, work: Path) -> None:
    assert proc("ls", "s3:").code == 6  # no config anywhere
    assert proc("ls", "s3:", REMOTE_STORE_CONFIG=str(s3_config)).code == 0
    (work / "remote-store.toml").write_text(s3_config.read_text())
    assert proc("ls", "s3:").code == 0


def test_no_progress_bar_without_a_terminal(s3_config: Path, proc: Any, work: Path) -> None:
    (work / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    done = proc("--config", str(s3_config), "cp", "big.bin", "s3:big.bin")
    assert done.code == 0
    assert done.err == ""  # no bar, no escape codes
    assert "\x1b" not in done.out


def test_python_m_remote_store_without_the_cli_gives_an_install_hint(tmp_path: Path) -> None:
    """With remote_store_cli hidden, ``python -m remote_store`` exits 11 with a hint."""
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'remote_store_cli' or name.startswith('remote_store_cli.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, _Block())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    done = subprocess.run(
        [sys.executable, "-m", "remote_store", "ls"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 11
    assert "pip install remote-store-cli" in done.stderr


def test_killed_copy_leaves_only_whole_files_and_sync_completes_it(
    s3_config: Path, work: Path, s3_client: Any, s3_bucket: str
) -> None:
    """SIGKILL a ``cp -r`` to S3 half-way: every object visible (polled during the copy and
    after the kill) is whole; ``sync`` then makes the destination identical."""
    files = {f"k/{i:03}.bin": os.urandom(64 * 1024 + i) for i in range(300)}
    make_tree(work / "src", files)
    command = [
        str(Path(sys.executable).parent / "remote-store"),
        "--config",
        str(s3_config),
        "-q",
        "cp",
        "-r",
        "-j",
        "2",
        "src",
        "s3:dst",
    ]
    child = subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen_partial: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and child.poll() is None:
            visible = bucket_sizes(s3_client, s3_bucket, "dst/")  # a cheap poll: sizes
            seen_partial += [k for k, size in visible.items() if len(files[k]) != size]
            if len(visible) >= 20:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL, "the copy finished before it could be killed"
    after_kill = bucket_contents(s3_client, s3_bucket, "dst/")
    assert 0 < len(after_kill) < len(files)
    assert [k for k, v in after_kill.items() if files[k] != v] == [] and seen_partial == []
    resumed = subprocess.run(
        [*command[:4], "--json", "sync", "src", "s3:dst"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["skipped"] == len(after_kill)  # what was whole is not sent again
    assert summary["copied"] == len(files) - len(after_kill)
    assert bucket_contents(s3_client, s3_bucket, "dst/") == files
