"""remote-store s3 against raw boto3, in the same run, against one moto_server process.

    python benchmarks/s3/run.py [--ops 300] [--objects 10000] [--rounds 5]

Prints the median time per operation for each side and the ratio (remote-store / boto3):
4 KiB write (new key), 4 KiB read, and a recursive listing of N objects. Both sides
alternate round by round so that machine noise hits them alike. moto is slow and shared
cores are noisy: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import boto3
from remote_store import Store
from remote_store_conformance.servers import ServerProcess, free_port, wait_for_port
from remote_store_s3 import S3Backend

PAYLOAD = os.urandom(4096)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=300, help="writes/reads per round and side")
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    port = free_port()
    executable = shutil.which("moto_server") or os.path.join(
        os.path.dirname(sys.executable), "moto_server"
    )
    with ServerProcess([executable, "-H", "127.0.0.1", "-p", str(port)]).running():
        wait_for_port(port, timeout=30)
        url = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
        )
        bucket = f"bench-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=bucket)
        store = Store(S3Backend(bucket=bucket, endpoint_url=url, key="x", secret="y"))
        store.write("warm", PAYLOAD, overwrite=True)
        client.put_object(Bucket=bucket, Key="warm", Body=PAYLOAD)

        results: dict[str, dict[str, list[float]]] = {
            "write 4 KiB": {"remote-store": [], "boto3": []},
            "read 4 KiB": {"remote-store": [], "boto3": []},
            f"list {args.objects} recursive": {"remote-store": [], "boto3": []},
        }
        for round_ in range(args.rounds):
            tag = f"r{round_}"
            ours = [timed(partial(store.write, f"w/{tag}/rs{i}", PAYLOAD)) for i in range(args.ops)]
            theirs = [
                timed(partial(client.put_object, Bucket=bucket, Key=f"w/{tag}/b3{i}", Body=PAYLOAD))
                for i in range(args.ops)
            ]
            results["write 4 KiB"]["remote-store"].append(statistics.median(ours))
            results["write 4 KiB"]["boto3"].append(statistics.median(theirs))
            ours = [timed(lambda: store.read_bytes("warm")) for _ in range(args.ops)]
            theirs = [
                timed(lambda: client.get_object(Bucket=bucket, Key="warm")["Body"].read())
                for _ in range(args.ops)
            ]
            results["read 4 KiB"]["remote-store"].append(statistics.median(ours))
            results["read 4 KiB"]["boto3"].append(statistics.median(theirs))

        # The listing tree: N objects in nested folders, written concurrently.
        names = [f"tree/d{i % 10}/e{i % 7}/obj{i:06}" for i in range(args.objects)]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda k: client.put_object(Bucket=bucket, Key=k, Body=b""), names))

        def ours_list() -> None:
            count = sum(1 for _ in store.list_files("tree", recursive=True))
            assert count == args.objects, count

        def boto3_list() -> None:
            paginator = client.get_paginator("list_objects_v2")
            count = sum(
                len(page.get("Contents", ()))
                for page in paginator.paginate(Bucket=bucket, Prefix="tree/")
            )
            assert count == args.objects, count

        key = f"list {args.objects} recursive"
        for _ in range(args.rounds):
            results[key]["remote-store"].append(timed(ours_list))
            results[key]["boto3"].append(timed(boto3_list))
        store.close()

    print(f"{'operation':<26}{'remote-store':>14}{'boto3':>12}{'ratio':>8}")
    for name, sides in results.items():
        ours_t = statistics.median(sides["remote-store"])
        theirs_t = statistics.median(sides["boto3"])
        print(
            f"{name:<26}{ours_t * 1e3:>12.2f}ms{theirs_t * 1e3:>10.2f}ms{ours_t / theirs_t:>8.2f}"
        )


if __name__ == "__main__":
    main()
