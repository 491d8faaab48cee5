"""The first listing in a fresh process: this project against s3fs, ratios in one run.

    python benchmarks/s3/first_listing.py [--rounds 3] [--modes project,s3fs,project+sdk]

Each sample is a fresh interpreter against one moto server on 127.0.0.1 (20 objects in
the bucket): it imports the library (``import s3fs``; ``from remote_store_s3 import
S3Backend`` with ``remote_store``), then times the first listing: the filesystem or
backend made, its client connected, one listing read. ``project+sdk`` imports s3fs (and
with it aiobotocore and botocore) before the clock starts, as ``import s3fs`` does for
s3fs's users: what remains is the first call itself. Modes rotate round by round.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = r"""
import os, sys, time
mode, endpoint, bucket = sys.argv[1:4]
start = time.perf_counter()
if mode == "s3fs":
    import s3fs
else:
    from remote_store import Store
    from remote_store_s3 import S3Backend
    if mode == "project+sdk":
        import s3fs
imported = time.perf_counter()
if mode == "s3fs":
    fs = s3fs.S3FileSystem(
        key="bench", secret="bench", endpoint_url=endpoint,
        client_kwargs={"region_name": "us-east-1"},
        skip_instance_cache=True, use_listings_cache=False,
    )
    count = len(fs.ls(bucket, detail=True))
else:
    backend = S3Backend(
        bucket=bucket, endpoint_url=endpoint, key="bench", secret="bench",
        region_name="us-east-1",
    )
    count = sum(1 for _ in Store(backend).list_files(""))
listed = time.perf_counter()
assert count == 20, count
print(imported - start, listed - imported)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default="project,s3fs,project+sdk")
    args = parser.parse_args()
    modes = args.modes.split(",")
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bucket = f"first-{uuid.uuid4().hex[:8]}"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"{bucket}.log"
    moto = subprocess.Popen(
        [sys.executable, str(HERE / "_moto.py"), str(log), bucket],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    samples: dict[str, list[tuple[float, float]]] = {mode: [] for mode in modes}
    try:
        assert moto.stdout is not None
        endpoint = f"http://127.0.0.1:{int(moto.stdout.readline())}"
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        for i in range(20):
            client.put_object(Bucket=bucket, Key=f"f{i:02}", Body=b"x")
        for round_ in range(args.rounds):
            for mode in modes[round_ % len(modes) :] + modes[: round_ % len(modes)]:
                command = [sys.executable, "-c", CHILD, mode, endpoint, bucket]
                done = subprocess.run(command, capture_output=True, text=True, env=env)
                if done.returncode:
                    raise SystemExit(f"{mode} failed:\n{done.stderr}")
                imported, listed = map(float, done.stdout.split())
                samples[mode].append((imported, listed))
                print(
                    f"round {round_} {mode:12} import {imported:6.3f} s  first listing {listed:6.3f} s"
                )
    finally:
        if moto.stdin is not None:
            moto.stdin.close()
        moto.wait(30)
        log.unlink(missing_ok=True)
    medians = {
        mode: (statistics.median(s[0] for s in runs), statistics.median(s[1] for s in runs))
        for mode, runs in samples.items()
    }
    for mode, (imported, listed) in medians.items():
        print(f"{mode:12} import {imported:6.3f} s  first listing {listed:6.3f} s  (medians)")
    if "s3fs" in medians:
        base_import, base_list = medians["s3fs"]
        for mode, (imported, listed) in medians.items():
            if mode != "s3fs":
                print(
                    f"{mode} / s3fs: first listing {listed / base_list:.2f}x,"
                    f" import + first listing {(imported + listed) / (base_import + base_list):.2f}x"
                )


if __name__ == "__main__":
    main()
