"""Reading a 64 MiB blob streams: RSS grows by less than 32 MiB (measured in a subprocess).

The parent writes the blob; a fresh interpreter opens the same table, warms up on a
small file, then reads the blob through ``Store.read`` in 1 MiB pieces and reports the
largest RSS growth seen (sampled after every piece, and the growth of ``ru_maxrss``)
and the SHA-256 of what it read.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from remote_store import Store

from .conftest import Factory

SIZE = 64 * 1024 * 1024
LIMIT = 32 * 1024 * 1024

_CHILD = r"""
import hashlib, json, os, resource, sys
from remote_store import Store
from remote_store_sql import SQLBlobBackend

url, table = sys.argv[1], sys.argv[2]
store = Store(SQLBlobBackend(url, table_name=table, create_table=False))
with store.read("warm") as stream:
    stream.read()
PAGE = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE
peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
before = rss()
highest = before
digest = hashlib.sha256()
total = 0
with store.read("blob") as stream:
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
        total += len(chunk)
        highest = max(highest, rss())
peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
growth = max(highest - before, peak_after - peak_before)
print(json.dumps({"growth": growth, "sha256": digest.hexdigest(), "size": total}))
"""


def _blob() -> bytes:
    return os.urandom(SIZE)  # incompressible, like most large files


@pytest.mark.slow
@pytest.mark.parametrize("db", ["postgresql", "mariadb"])
def test_64mib_read_keeps_rss_growth_under_32mib(db: str, request: pytest.FixtureRequest) -> None:
    factory: Factory = request.getfixturevalue(
        {"postgresql": "pg_backend_factory", "mariadb": "mariadb_backend_factory"}[db]
    )
    backend = factory()
    store = Store(backend)
    data = _blob()
    store.write("blob", data)
    store.write("warm", b"x" * 4096)
    expected = hashlib.sha256(data).hexdigest()
    del data
    url = backend.unwrap(sa.Engine).url.render_as_string(hide_password=False)
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, url, backend._table_name],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"{db}: RSS growth reading 64 MiB = {report['growth'] / 2**20:.1f} MiB")
    assert report["size"] == SIZE
    assert report["sha256"] == expected
    assert report["growth"] < LIMIT, report
