"""What the s3-obstore layer (Store -> backend -> obstore) adds per call, without a network.

    python benchmarks/s3/obstore_layer_cost.py [--rounds 30] [--keys 200]

The backend's obstore store is swapped for obstore's in-process ``MemoryStore`` (the same
calls, no HTTP), so the figures are the Python cost of this project's layer on top of the
obstore call: per operation, the minimum over the rounds (the least disturbed by other
processes) of obstore used directly and of the Store, and their difference. Against S3,
each of these calls also costs a request (0.3-0.6 ms of client CPU, milliseconds of wall
time on moto): see ``obstore_overhead.py`` for that side.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable

import obstore
from obstore.store import MemoryStore
from remote_store import Store
from remote_store_obstore import S3ObstoreBackend

PAYLOAD = b"x" * 4096


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    backend = S3ObstoreBackend("bench", endpoint_url="http://127.0.0.1:9", key="x", secret="y")
    memory = MemoryStore()
    backend._store = memory  # benchmark only: the same obstore calls, served in process
    store = Store(backend)
    keys = [f"seed/{i:05d}" for i in range(args.keys)]
    for key in keys:
        obstore.put(memory, key, PAYLOAD)
    listing = 2000
    for i in range(listing):
        obstore.put(memory, f"list/d{i // 100:03d}/f{i:05d}", b".")
    counter = itertools.count()

    def fresh() -> list[str]:
        return [f"new/{next(counter):08d}" for _ in keys]

    jobs: dict[str, tuple[Callable[[], object], Callable[[], object], int]] = {
        "read_bytes 4 KiB": (
            lambda: [bytes(obstore.get(memory, k).bytes()) for k in keys],
            lambda: [store.read_bytes(k) for k in keys],
            len(keys),
        ),
        "get_file_info / head": (
            lambda: [obstore.head(memory, k) for k in keys],
            lambda: [store.get_file_info(k) for k in keys],
            len(keys),
        ),
        "exists": (
            lambda: [obstore.head(memory, k) for k in keys],
            lambda: [store.exists(k) for k in keys],
            len(keys),
        ),
        "write new 4 KiB": (
            lambda: [obstore.put(memory, k, PAYLOAD, mode="create") for k in fresh()],
            lambda: [store.write(k, PAYLOAD) for k in fresh()],
            len(keys),
        ),
        f"recursive listing, per object ({listing})": (
            lambda: sum(len(batch) for batch in obstore.list(memory, "list", chunk_size=1000)),
            lambda: sum(1 for _ in store.list_files("list", recursive=True)),
            listing,
        ),
    }
    best: dict[str, list[float]] = {name: [float("inf")] * 2 for name in jobs}
    for _ in range(args.rounds):
        for name, (direct, layered, count) in jobs.items():
            for side, action in enumerate((direct, layered)):
                start = time.perf_counter()
                action()
                elapsed = (time.perf_counter() - start) / count
                best[name][side] = min(best[name][side], elapsed)
    print(f"{'operation':38} {'obstore':>10} {'Store':>10} {'added':>10}")
    for name, (direct_s, layered_s) in best.items():
        print(
            f"{name:38} {direct_s * 1e6:7.2f} us {layered_s * 1e6:7.2f} us"
            f" {(layered_s - direct_s) * 1e6:7.2f} us"
        )


if __name__ == "__main__":
    main()
