"""Streams stay bounded: 256 MiB through SyncBackendAdapter(LocalBackend) grows RSS < 32 MiB.

Measured in a fresh subprocess (peak RSS from ``getrusage``), so nothing else the test
session has allocated blurs the figure.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MIB = 1024 * 1024
SIZE = 256 * MIB
LIMIT = 32 * MIB

_SCRIPT = r"""
import asyncio, json, os, resource, sys
from remote_store.aio import AsyncStore, SyncBackendAdapter
from remote_store.backends import LocalBackend

MIB = 1024 * 1024
BLOCK = b"\xab" * MIB


def peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


async def source(mib: int):
    for _ in range(mib):
        await asyncio.sleep(0)
        yield BLOCK


async def main(root: str, mib: int) -> dict:
    async with AsyncStore(SyncBackendAdapter(LocalBackend(root))) as store:
        await store.write("warm", source(8))  # threads, imports and buffers up front
        async for _ in store.read("warm"):
            pass
        base = peak()
        result = await store.write("big", source(mib))
        after_write = peak()
        total = 0
        async for chunk in store.read("big"):
            total += len(chunk)
        after_read = peak()
        on_disk = os.path.getsize(os.path.join(root, "big"))
        os.remove(os.path.join(root, "big"))
    return {
        "base": base, "after_write": after_write, "after_read": after_read,
        "written": result.size, "read": total, "on_disk": on_disk,
    }


print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2])))))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss units differ off Linux")
def test_streamed_write_and_read_of_256_mib_stay_bounded(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path), str(SIZE // MIB)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["written"] == figures["read"] == figures["on_disk"] == SIZE
    growth = figures["after_read"] - figures["base"]
    print(f"peak RSS growth: {growth / MIB:.1f} MiB", figures)
    assert growth < LIMIT, f"peak RSS grew by {growth / MIB:.1f} MiB"
