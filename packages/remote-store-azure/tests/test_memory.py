"""64 MiB streamed write and read keep peak RSS growth under 32 MiB (in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

SIZE = 64 * 1024 * 1024
LIMIT = 32 * 1024 * 1024

_SCRIPT = textwrap.dedent(
    """
    import asyncio, io, json, sys, threading, time
    import psutil
    from remote_store import Store
    from remote_store.aio import AsyncStore
    from remote_store_azure import AsyncAzureBackend, AzureBackend

    conn, container, size, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    process = psutil.Process()

    class Pattern(io.RawIOBase):
        def __init__(self, n):
            self.left = n
        def readable(self):
            return True
        def readinto(self, b):
            n = min(len(b), self.left)
            b[:n] = bytes([self.left % 251]) * n
            self.left -= n
            return n

    class Peak:
        def __enter__(self):
            self.base = process.memory_info().rss
            self.peak = self.base
            self.running = True
            self.thread = threading.Thread(target=self.sample, daemon=True)
            self.thread.start()
            return self
        def sample(self):
            while self.running:
                self.peak = max(self.peak, process.memory_info().rss)
                time.sleep(0.005)
        def __exit__(self, *exc):
            self.running = False
            self.thread.join()
            self.peak = max(self.peak, process.memory_info().rss)
            self.growth = self.peak - self.base

    if mode == "sync":
        store = Store(AzureBackend(container, connection_string=conn))
        store.write("warm.bin", io.BufferedReader(Pattern(3 * 1024 * 1024)))
        store.read_bytes("warm.bin")
        with Peak() as w:
            result = store.write("big.bin", io.BufferedReader(Pattern(size)))
        assert result.size == size
        with Peak() as r:
            total = 0
            with store.read("big.bin") as stream:
                while chunk := stream.read(1024 * 1024):
                    total += len(chunk)
        assert total == size
        store.close()
    else:
        async def main():
            async with AsyncStore(AsyncAzureBackend(container, connection_string=conn)) as store:
                async def chunks(n):
                    while n > 0:
                        step = min(n, 1024 * 1024)
                        yield bytes([n % 251]) * step
                        n -= step
                await store.write("warm.bin", chunks(3 * 1024 * 1024))
                await store.read_bytes("warm.bin")
                with Peak() as w:
                    await store.write("big.bin", chunks(size))
                with Peak() as r:
                    total = 0
                    async for chunk in store.read("big.bin"):
                        total += len(chunk)
                assert total == size
                return w, r
        w, r = asyncio.run(main())
    print(json.dumps({"write": w.growth, "read": r.growth}))
    """
)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_64_mib_stream_write_and_read_stay_bounded(azurite: Any, mode: str) -> None:
    pytest.importorskip("psutil")
    container = azurite.new_container()
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, azurite.connection_string, container, str(SIZE), mode],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{mode}: peak RSS growth write={figures['write']} read={figures['read']} bytes")
    assert figures["write"] < LIMIT, figures
    assert figures["read"] < LIMIT, figures
