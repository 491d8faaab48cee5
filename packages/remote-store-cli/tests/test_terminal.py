"""On a terminal (a pty) a transfer draws a rich progress bar; the size is parameterised
so that the 256 MiB demo of docs/cli.md runs the same code (RS_PTY_DEMO_MIB)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_pty(args: list[str], cwd: Path, timeout: float = 600) -> tuple[int, str, float]:
    """Run ``args`` with a pty as stdin/stdout/stderr; returns code, raw output, seconds."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "LINES": "30", "TERM": "xterm-256color"}
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif child.poll() is not None:
            break
    code = child.wait(30)
    os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace"), time.perf_counter() - started


def frames(raw: str) -> list[str]:
    """The distinct screen lines the bar went through, escape codes removed."""
    lines = [line.strip() for line in re.split(r"[\r\n]+", ANSI.sub("", raw))]
    seen: list[str] = []
    for line in lines:
        if line and (not seen or seen[-1] != line):
            seen.append(line)
    return seen


def test_upload_draws_a_progress_bar_on_a_terminal(s3_config: Path, work: Path) -> None:
    mib = int(os.environ.get("RS_PTY_DEMO_MIB", "24"))
    big = work / "big.bin"
    with big.open("wb") as sink:
        for _ in range(mib):
            sink.write(os.urandom(1024 * 1024))
    script = str(Path(sys.executable).parent / "remote-store")
    code, raw, seconds = run_in_pty(
        [script, "--config", str(s3_config), "cp", "big.bin", "s3:big.bin"], work
    )
    shown = frames(raw)
    if os.environ.get("RS_PTY_DEMO_MIB"):
        print(f"\n{mib} MiB upload in {seconds:.1f} s; {len(shown)} distinct lines:")
        for line in shown:
            print(f"  | {line}")
    assert code == 0, raw[-2000:]
    bars = [line for line in shown if line.startswith("copy big.bin") and "MiB" in line]
    assert bars, shown
    assert f"{mib}.0/{mib}.0 MiB" in bars[-1]  # ends complete
    assert "━" in bars[-1]  # rich's bar, drawn
    assert shown[-1].startswith("big.bin -> big.bin")
