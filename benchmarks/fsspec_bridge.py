"""pd.read_parquet of a 200-file dataset on one moto server: s3fs directly vs the
remote-store-fsspec bridge (remote-store:// URL over the s3 backend).

``python benchmarks/fsspec_bridge.py [--files 200] [--rounds 5]`` (in the test env, e.g.
``hatch run test:python benchmarks/fsspec_bridge.py``). Rounds alternate the two readers;
prints each round, the medians, the ratio bridge/s3fs and the requests each reader made
(moto's request log). Runs in well under 2 minutes.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import threading
import time
import uuid

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
os.environ["BENCH_KEY"] = "bench"
os.environ["BENCH_SECRET"] = "bench"


class Counter(logging.Handler):
    """Counts moto's request log lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            self.count += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import pandas as pd
    import s3fs
    from moto.server import ThreadedMotoServer

    counter = Counter()
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.setLevel(logging.INFO)
    werkzeug.propagate = False
    werkzeug.addHandler(counter)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    options = {
        "key": "bench",
        "secret": "bench",
        "client_kwargs": {"endpoint_url": url, "region_name": "us-east-1"},
    }
    import boto3

    boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    ).create_bucket(Bucket=bucket)
    fs = s3fs.S3FileSystem(**options)
    frame = pd.DataFrame({"id": range(1000), "value": [i * 0.5 for i in range(1000)]})
    for number in range(args.files):
        with fs.open(f"{bucket}/ds/part-{number:03d}.parquet", "wb") as f:
            frame.to_parquet(f)

    config = os.path.join(tempfile.mkdtemp(), "stores.toml")
    with open(config, "w") as f:
        f.write(
            f'[backends.s3]\ntype = "s3"\n[backends.s3.options]\nbucket = "{bucket}"\n'
            f'endpoint_url = "{url}"\nregion_name = "us-east-1"\n'
            'key = "${BENCH_KEY}"\nsecret = "${BENCH_SECRET}"\n'
            '[stores.lake]\nbackend = "s3"\n'
        )

    def via_s3fs() -> int:
        s3fs.S3FileSystem.clear_instance_cache()
        return len(pd.read_parquet(f"s3://{bucket}/ds", storage_options=options))

    def via_bridge() -> int:
        return len(pd.read_parquet("remote-store://lake/ds", storage_options={"config": config}))

    readers = {"s3fs": via_s3fs, "bridge": via_bridge}
    times: dict[str, list[float]] = {name: [] for name in readers}
    requests: dict[str, int] = {}
    for read in readers.values():  # warm-up: imports, clients
        read()
    for number in range(args.rounds):
        for name, read in readers.items():
            before = counter.count
            started = time.perf_counter()
            rows = read()
            times[name].append(time.perf_counter() - started)
            requests[name] = counter.count - before
            assert rows == 1000 * args.files, rows
        print(f"round {number}: " + ", ".join(f"{n} {t[-1]:.3f} s" for n, t in times.items()))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"median s3fs {medians['s3fs']:.3f} s ({requests['s3fs']} requests), "
        f"bridge {medians['bridge']:.3f} s ({requests['bridge']} requests), "
        f"ratio bridge/s3fs {medians['bridge'] / medians['s3fs']:.2f}x ({args.files} files)"
    )
    server.stop()


if __name__ == "__main__":
    main()
