"""Upload of a 1,000-file folder (4 KiB each) to S3 (moto): the CLI against the usual ways.

    python benchmarks/cli_tree_upload.py [--files 1000] [--size 4096] [--workers 8]

One run of each, in this order, into its own prefix of one bucket on one moto server
(its own process, see ``_moto.py``):

* ``cli``: the ``remote-store cp -r`` command as a child process (start-up included);
* ``api``: ``remote_store.ext.tree.upload_tree`` in this process;
* ``boto3``: ``upload_file`` per file on a thread pool of ``--workers`` threads,
  one shared client (what ``aws s3 cp --recursive`` does);
* ``s3fs``: ``S3FileSystem.put(folder, prefix, recursive=True)``.

Every upload is checked afterwards (object count and total bytes). Needs the workspace
test environment (moto, boto3, s3fs, remote-store-cli). Prints a table and writes the
figures to ``benchmarks/results/cli_tree_upload-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BUCKET = "bench-tree"
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


def make_folder(root: Path, files: int, size: int) -> Path:
    folder = root / "src"
    for index in range(files):
        path = folder / f"d{index % 10}" / f"f{index:05}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    return folder


def client(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(max_pool_connections=32),
    )


def check(url: str, prefix: str, files: int, total: int) -> None:
    count = size = 0
    for page in (
        client(url).get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix + "/")
    ):
        for item in page.get("Contents", []):
            count += 1
            size += item["Size"]
    if (count, size) != (files, total):
        raise SystemExit(f"{prefix}: {count} objects, {size} bytes; expected {files}, {total}")


def run_cli(url: str, folder: Path, workers: int, work: Path) -> float:
    config = work / "bench.toml"
    config.write_text(
        f"""
[backends.s3]
type = "s3"
[backends.s3.options]
bucket = "{BUCKET}"
endpoint_url = "{url}"
key = "bench"
secret = "bench"
[stores.s3]
backend = "s3"
"""
    )
    script = Path(sys.executable).parent / "remote-store"
    command = [str(script), "--config", str(config), "-q", "cp", "-r", "-j", str(workers)]
    started = time.perf_counter()
    subprocess.run([*command, str(folder), "s3:cli"], check=True)
    return time.perf_counter() - started


def run_api(url: str, folder: Path, workers: int) -> float:
    from remote_store import Store
    from remote_store.ext.tree import upload_tree
    from remote_store_s3 import S3Backend

    store = Store(S3Backend(bucket=BUCKET, endpoint_url=url, key="bench", secret="bench"))
    with store:
        started = time.perf_counter()
        upload_tree(folder, store, "api", workers=workers)
        return time.perf_counter() - started


def run_boto3(url: str, folder: Path, workers: int) -> float:
    s3 = client(url)
    paths = [p for p in folder.rglob("*") if p.is_file()]
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(
            pool.map(
                lambda p: s3.upload_file(str(p), BUCKET, f"boto3/{p.relative_to(folder)}"),
                paths,
            )
        )
    return time.perf_counter() - started


def run_s3fs(url: str, folder: Path) -> float:
    import s3fs

    fs = s3fs.S3FileSystem(key="bench", secret="bench", client_kwargs={"endpoint_url": url})
    started = time.perf_counter()
    fs.put(str(folder) + "/", f"{BUCKET}/s3fs", recursive=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        folder = make_folder(work, args.files, args.size)
        total = args.files * args.size
        server = subprocess.Popen(
            [sys.executable, str(HERE / "_moto.py"), str(work / "moto.log"), BUCKET],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
            runs: dict[str, Callable[[], float]] = {
                "cli": lambda: run_cli(url, folder, args.workers, work),
                "api": lambda: run_api(url, folder, args.workers),
                "boto3": lambda: run_boto3(url, folder, args.workers),
                "s3fs": lambda: run_s3fs(url, folder),
            }
            timings = {}
            for prefix, run in runs.items():
                timings[prefix] = run()
                check(url, prefix, args.files, total)
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(30)
    print(f"{args.files} files x {args.size} B, {args.workers} workers, moto on 127.0.0.1")
    for name, seconds in timings.items():
        ratio = seconds / timings["s3fs"]
        print(
            f"  {name:<14} {seconds:7.2f} s  {args.files / seconds:7.0f} files/s  {ratio:.2f}x s3fs"
        )
    out = HERE / "results" / f"cli_tree_upload-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "seconds": timings}, indent=2))
    print(f"written {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
