"""A large streamed S3 write: this project against boto3 and obstore, ratios in one run.

    python benchmarks/s3/large_write.py [--size 200] [--rounds 1] [--libs project,raw,obstore]

Each sample is a fresh worker process (``benchmarks/_worker.py large``: a warm-up request,
then the timed write of a generated stream read as from a file, and its read; ``cpu`` is
the worker's CPU time in the write, all threads) against one moto server on
127.0.0.1; the order of the libraries rotates round by round. Prints each sample, then the
median write time and peak RSS growth per library and the ratios of this project to the
others. Needs the S3 test extras (moto, boto3) and obstore in the running interpreter.
A round of 200 MiB takes about 20-30 s on 2 busy cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=200, help="MiB written per sample")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--libs", default="project,raw,obstore")
    parser.add_argument(
        "--short-reads",
        action="store_true",
        help="a raw source returning 1 MiB per read (boto3 then sends one PUT from memory)",
    )
    args = parser.parse_args()
    libs = args.libs.split(",")
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bucket = f"large-{uuid.uuid4().hex[:8]}"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"{bucket}.log"
    moto = subprocess.Popen(
        [sys.executable, str(HERE / "_moto.py"), str(log), bucket],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert moto.stdout is not None
        endpoint = f"http://127.0.0.1:{int(moto.stdout.readline())}"
        samples: dict[str, list[dict[str, float]]] = {lib: [] for lib in libs}
        for round_ in range(args.rounds):
            order = libs[round_ % len(libs) :] + libs[: round_ % len(libs)]
            for lib in order:
                key = f"{lib}-{round_}-{uuid.uuid4().hex[:6]}"
                command = [sys.executable, str(HERE / "_worker.py"), "large", lib, "s3"]
                command += [str(args.size * MIB), key, "--endpoint", endpoint, "--bucket", bucket]
                command += ["--short-reads"] if args.short_reads else []
                out = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
                if out.returncode:
                    raise SystemExit(f"{lib} failed:\n{out.stderr}")
                sample = json.loads(out.stdout.strip().splitlines()[-1])
                samples[lib].append(sample)
                print(
                    f"round {round_} {lib:8} write {sample['write_s']:6.2f} s"
                    f"  rss +{sample['write_rss'] / MIB:6.1f} MiB"
                    f"  cpu {sample['write_cpu']:5.2f} s  read {sample['read_s']:5.2f} s",
                    flush=True,
                )
    finally:
        if moto.stdin is not None:
            moto.stdin.close()
        moto.wait(30)
        log.unlink(missing_ok=True)
    medians = {
        lib: (
            statistics.median(s["write_s"] for s in runs),
            statistics.median(s["write_rss"] for s in runs) / MIB,
        )
        for lib, runs in samples.items()
    }
    for lib, (seconds, rss) in medians.items():
        print(f"{lib:8} {args.size} MiB write {seconds:6.2f} s  rss +{rss:.1f} MiB")
    if "project" in medians:
        for lib in libs:
            if lib != "project":
                ratio = medians["project"][0] / medians[lib][0]
                print(f"project / {lib}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
