"""The s3-obstore backend against obstore used directly, in one process, one moto_server.

    python benchmarks/s3/obstore_overhead.py [--ops 100] [--objects 2000] [--rounds 5]

For each job both sides alternate round by round (noise hits them alike) and two figures
are kept per operation: the wall time and the client process's CPU time (Python plus
obstore's Rust threads; moto runs in its own process). On a loaded machine the wall time
is mostly moto's; the CPU time shows what the backend layer adds. Prints medians and the
ratio s3-obstore / obstore (target <= 1.1x). Needs the package's test extra installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import boto3
import obstore
from obstore.store import S3Store
from remote_store import Store
from remote_store_conformance.servers import ServerProcess, free_port, wait_for_port
from remote_store_obstore import S3ObstoreBackend

PAYLOAD = os.urandom(4096)


def measure(action: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=100)
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    executable = shutil.which("moto_server") or os.path.join(
        os.path.dirname(sys.executable), "moto_server"
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with ServerProcess([executable, "-H", "127.0.0.1", "-p", str(port)]).running():
        wait_for_port(port, timeout=30)
        bucket = "overhead"
        boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
        ).create_bucket(Bucket=bucket)
        raw = S3Store(
            bucket,
            endpoint=url,
            access_key_id="x",
            secret_access_key="y",
            region="us-east-1",
            virtual_hosted_style_request=False,
            client_options={"allow_http": True},
        )
        store = Store(
            S3ObstoreBackend(bucket, endpoint_url=url, key="x", secret="y", region_name="us-east-1")
        )
        pool = ThreadPoolExecutor(8)
        keys = [f"seed/{i:05d}" for i in range(args.ops)]
        for key in keys:
            obstore.put(raw, key, PAYLOAD)
        listing = [f"list/d{i // 100:03d}/f{i:05d}" for i in range(args.objects)]
        list(pool.map(lambda key: obstore.put(raw, key, b"."), listing))

        def jobs(tag: str) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
            fresh = [f"new/{tag}/{i:05d}" for i in range(args.ops)]
            fresh8 = [f"new8/{tag}/{i:05d}" for i in range(args.ops)]
            return {
                "write new 4 KiB": (
                    lambda: [obstore.put(raw, "o" + k, PAYLOAD, mode="create") for k in fresh],
                    lambda: [store.write("s" + k, PAYLOAD) for k in fresh],
                ),
                "read 4 KiB": (
                    lambda: [bytes(obstore.get(raw, k).bytes()) for k in keys],
                    lambda: [store.read_bytes(k) for k in keys],
                ),
                "exists": (
                    lambda: [obstore.head(raw, k) for k in keys],
                    lambda: [store.exists(k) for k in keys],
                ),
                "head / get_file_info": (
                    lambda: [obstore.head(raw, k) for k in keys],
                    lambda: [store.get_file_info(k) for k in keys],
                ),
                "write new 4 KiB, 8 threads": (
                    lambda: list(
                        pool.map(
                            lambda k: obstore.put(raw, "o" + k, PAYLOAD, mode="create"), fresh8
                        )
                    ),
                    lambda: list(pool.map(lambda k: store.write("s" + k, PAYLOAD), fresh8)),
                ),
                "read 4 KiB, 8 threads": (
                    lambda: list(pool.map(lambda k: bytes(obstore.get(raw, k).bytes()), keys)),
                    lambda: list(pool.map(store.read_bytes, keys)),
                ),
                f"recursive listing of {args.objects}": (
                    lambda: sum(len(batch) for batch in obstore.list(raw, "list", chunk_size=1000)),
                    lambda: sum(1 for _ in store.list_files("list", recursive=True)),
                ),
            }

        names = list(jobs("x"))
        samples: dict[str, dict[str, list[tuple[float, float]]]] = {
            name: {"obstore": [], "s3-obstore": []} for name in names
        }
        for round_ in range(args.rounds):
            for name, (direct, backend) in jobs(f"r{round_}").items():
                per = args.objects if name.startswith("recursive") else args.ops
                sides = [("obstore", direct), ("s3-obstore", backend)]
                for side, action in sides if round_ % 2 == 0 else sides[::-1]:
                    wall, cpu = measure(action)
                    count = 1 if name.startswith("recursive") else per
                    samples[name][side].append((wall / count, cpu / count))
        print(
            f"{'operation':34} {'obstore wall/cpu':>22} {'s3-obstore wall/cpu':>22}  ratio wall / cpu"
        )
        for name in names:
            row = {}
            for side in ("obstore", "s3-obstore"):
                wall = statistics.median(w for w, _ in samples[name][side])
                cpu = statistics.median(c for _, c in samples[name][side])
                row[side] = (wall, cpu)
            (ow, oc), (sw, sc) = row["obstore"], row["s3-obstore"]
            print(
                f"{name:34} {ow * 1e3:9.2f} / {oc * 1e3:6.2f} ms {sw * 1e3:9.2f} / {sc * 1e3:6.2f} ms"
                f"  {sw / ow:5.2f}x / {sc / oc:5.2f}x"
            )
        pool.shutdown()


if __name__ == "__main__":
    main()
