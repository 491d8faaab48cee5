"""200 concurrent 4 KiB reads: AsyncStore over S3 vs aiobotocore directly (issue 25).

Starts its own moto server on loopback. Prints wall time per side (best of ROUNDS,
interleaved) and the process's thread count while the AsyncStore reads run.
AsyncStore runs over ``AsyncS3Backend`` (requests on the caller's loop); with
``--adapter`` over ``SyncBackendAdapter(S3Backend)`` instead (worker threads, then
s3fs's loop thread), the path before the async backend existed.

    python benchmarks/aio/s3_concurrent_reads.py [--adapter]
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from typing import Any

READS = 200
ROUNDS = 5
SIZE = 4096


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _direct(endpoint: str) -> float:
    from aiobotocore.session import get_session

    session = get_session()
    async with session.create_client(
        "s3", endpoint_url=endpoint, aws_access_key_id="k", aws_secret_access_key="s",
        region_name="us-east-1",
    ) as client:  # fmt: skip

        async def one(i: int) -> bytes:
            response = await client.get_object(Bucket="bench", Key=f"f/{i:03d}")
            async with response["Body"] as body:
                data: bytes = await body.read()
                return data

        await one(0)  # connect
        start = time.perf_counter()
        results = await asyncio.gather(*(one(i) for i in range(READS)))
        elapsed = time.perf_counter() - start
        assert all(len(r) == SIZE for r in results)
        return elapsed


async def _through_store(endpoint: str, threads: list[int], adapter: bool) -> float:
    from remote_store.aio import AsyncStore, SyncBackendAdapter
    from remote_store_s3 import AsyncS3Backend, S3Backend

    options: dict[str, Any] = {
        "endpoint_url": endpoint,
        "key": "k",
        "secret": "s",
        "region_name": "us-east-1",
    }
    backend: Any = (
        SyncBackendAdapter(S3Backend("bench", **options))
        if adapter
        else AsyncS3Backend("bench", **options)
    )
    async with AsyncStore(backend) as store:
        await store.read_bytes("f/000")  # connect
        start = time.perf_counter()
        results = await asyncio.gather(*(store.read_bytes(f"f/{i:03d}") for i in range(READS)))
        elapsed = time.perf_counter() - start
        threads.append(threading.active_count())
        assert all(len(r) == SIZE for r in results)
        return elapsed


def main() -> None:
    import boto3

    adapter = "--adapter" in sys.argv[1:]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        s3 = boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="k", aws_secret_access_key="s",
            region_name="us-east-1",
        )  # fmt: skip
        s3.create_bucket(Bucket="bench")
        for i in range(READS):
            s3.put_object(Bucket="bench", Key=f"f/{i:03d}", Body=b"x" * SIZE)
        direct, ours, threads = [], [], []  # type: ignore[var-annotated]
        for _ in range(ROUNDS):
            direct.append(asyncio.run(_direct(endpoint)))
            ours.append(asyncio.run(_through_store(endpoint, threads, adapter)))
        print(f"aiobotocore direct: best {min(direct):.3f} s")
        side = "SyncBackendAdapter(S3Backend)" if adapter else "AsyncS3Backend"
        print(f"AsyncStore({side}): best {min(ours):.3f} s  ratio {min(ours) / min(direct):.2f}x")
        print(f"threads in the process during the AsyncStore run: {max(threads)}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
