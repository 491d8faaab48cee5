"""A Dask LocalCluster (2 worker processes) and a spawned process pool computing over 200
files of an S3 (moto) store, given only a URL or the store; the secret comes from an
environment variable and no payload carries it."""

from __future__ import annotations

import collections
import os
import pickle
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from remote_store import Registry, RegistryConfig, Store

from .conftest import new_bucket

FILES = 200
# Workers (dask's and spawned pools') unpickle this module's functions by the name pytest
# gave the module: ``tests.test_distributed`` when the package is tested alone,
# ``packages.remote-store-fsspec.tests...`` from the repo root. They need the folder that
# name is relative to on their path (spawned processes start with this process's path).
IMPORT_ROOT = Path(__file__).resolve().parents[__name__.count(".")]
pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]  # a cluster on a loaded 2-core machine
KEY, SECRET = "AKIADISTRIBUTED0001", "distributed-secret-value-0001"

CONFIG = """
[backends.s3]
type = "s3"
[backends.s3.options]
bucket = "{bucket}"
endpoint_url = "{url}"
region_name = "us-east-1"
key = "${{RS_FSSPEC_KEY}}"
secret = "${{RS_FSSPEC_SECRET}}"

[stores.lake]
backend = "s3"
root = "lake"
"""


def sum_file(url: str, config: str) -> tuple[int, int]:
    """Runs on a worker: the sum of one CSV file's ``value`` column, and the worker's pid."""
    import fsspec

    with fsspec.open(url, "rt", config=config) as f:
        lines = f.read().splitlines()[1:]
    return os.getpid(), sum(int(line.split(",")[1]) for line in lines)


def sum_with_store(store: Store, path: str) -> tuple[int, int]:
    """Runs on a worker: the same through an unpickled Store."""
    lines = store.read_text(path).splitlines()[1:]
    return os.getpid(), sum(int(line.split(",")[1]) for line in lines)


@pytest.fixture(scope="module", autouse=True)
def importable_by_workers() -> Iterator[None]:
    """This module importable, under its pytest name, by the worker processes."""
    sys.path.append(str(IMPORT_ROOT))
    try:
        yield
    finally:
        sys.path.remove(str(IMPORT_ROOT))


@pytest.fixture(scope="module")
def dataset(moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """200 CSV files in a fresh bucket, a config file that reads the keys from the env."""
    os.environ["RS_FSSPEC_KEY"] = KEY
    os.environ["RS_FSSPEC_SECRET"] = SECRET
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    config = tmp_path_factory.mktemp("cfg") / "stores.toml"
    config.write_text(CONFIG.format(bucket=new_bucket(moto_url), url=moto_url))
    registry = Registry(RegistryConfig.from_file(config, resolve_env_vars=True))
    store = registry.get_store("lake")
    expected = 0
    for number in range(FILES):
        values = [number * 10 + i for i in range(5)]
        expected += sum(values)
        body = "id,value\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values))
        store.write(f"ds/part-{number:03d}.csv", body.encode())
    yield {"config": str(config), "store": store, "expected": expected}
    registry.close()


@pytest.fixture(scope="module")
def client(dataset: dict[str, Any]) -> Iterator[Any]:
    """One LocalCluster for the module: 2 worker processes, 1 thread each."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, Client(cluster) as result:
        yield result


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every frame this process (client and scheduler) puts on the wire."""
    from distributed import protocol

    frames: list[bytes] = []
    original = protocol.dumps

    def recording(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        frames.extend(bytes(frame) for frame in result)
        return result

    monkeypatch.setattr(protocol, "dumps", recording)
    return frames


def assert_no_secret(frames: list[bytes]) -> None:
    for secret in (KEY, SECRET):
        hits = [n for n, frame in enumerate(frames) if secret.encode() in frame]
        assert hits == [], f"secret found in frames {hits}"


def test_local_cluster_over_200_files_by_url(
    client: Any, dataset: dict[str, Any], wire: list[bytes]
) -> None:
    urls = [f"remote-store://lake/ds/part-{n:03d}.csv" for n in range(FILES)]
    started = time.perf_counter()
    results = client.gather(client.map(sum_file, urls, config=dataset["config"]))
    elapsed = time.perf_counter() - started
    per_worker = collections.Counter(pid for pid, _ in results)
    print(f"\nLocalCluster by URL: {FILES} files in {elapsed:.2f} s, per worker {per_worker}")
    assert sum(total for _, total in results) == dataset["expected"]
    assert len(per_worker) == 2 and sum(per_worker.values()) == FILES
    assert wire and any(b"remote-store" in frame for frame in wire)
    assert_no_secret(wire)
    print(f"scanned {len(wire)} frames, {sum(map(len, wire))} bytes: 0 secret hits")


def test_local_cluster_with_the_store(
    client: Any, dataset: dict[str, Any], wire: list[bytes]
) -> None:
    store = dataset["store"]
    paths = [f"ds/part-{n:03d}.csv" for n in range(0, FILES, 5)]
    results = client.gather(client.map(sum_with_store, [store] * len(paths), paths))
    expected = sum(sum(n * 10 + i for i in range(5)) for n in range(0, FILES, 5))
    assert sum(t for _, t in results) == expected
    assert any(b"remote_store_s3" in frame for frame in wire)  # the store itself travelled
    assert_no_secret(wire)
    print(f"\nwith the store: scanned {len(wire)} frames, {sum(map(len, wire))} bytes: 0 hits")


def test_spawned_process_pool_with_the_store(dataset: dict[str, Any]) -> None:
    import multiprocessing

    store = dataset["store"]
    payload = pickle.dumps(store)
    assert KEY.encode() not in payload and SECRET.encode() not in payload
    paths = [f"ds/part-{n:03d}.csv" for n in range(FILES)]
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        results = list(pool.map(_sum_pickled, [payload] * FILES, paths, chunksize=20))
    elapsed = time.perf_counter() - started
    per_process = collections.Counter(pid for pid, _ in results)
    print(f"\nProcessPoolExecutor(spawn): {FILES} files in {elapsed:.2f} s, {per_process}")
    assert sum(t for _, t in results) == dataset["expected"]
    assert sum(per_process.values()) == FILES


_unpickled: dict[bytes, Store] = {}


def _sum_pickled(payload: bytes, path: str) -> tuple[int, int]:
    # one store (and client) per process, as a worker would keep it
    if payload not in _unpickled:
        _unpickled[payload] = pickle.loads(payload)
    return sum_with_store(_unpickled[payload], path)


def test_spawned_process_pool_by_url(dataset: dict[str, Any]) -> None:
    import multiprocessing

    urls = [f"remote-store://lake/ds/part-{n:03d}.csv" for n in range(0, FILES, 10)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        results = list(pool.map(sum_file, urls, [dataset["config"]] * len(urls)))
    expected = sum(sum(n * 10 + i for i in range(5)) for n in range(0, FILES, 10))
    assert sum(t for _, t in results) == expected
