"""Peak memory stays bounded: observed listings and transfers never materialise.

Each measurement runs in a fresh interpreter so that other tests do not disturb it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

LIMIT_MIB = 32

LISTING = """
import json, tracemalloc
from remote_store import Store
from remote_store.backends import MemoryBackend
from remote_store.ext.observe import observe

backend = MemoryBackend()
for folder in range(2000):
    for index in range(100):
        backend.write(f"d{folder:04d}/f{index:03d}.bin", b"")
events = []
store = observe(Store(backend), on_any=events.append)
tracemalloc.start()
baseline = tracemalloc.get_traced_memory()[0]
count = sum(1 for _ in store.list_files("", recursive=True))
peak = tracemalloc.get_traced_memory()[1] - baseline
tracemalloc.stop()
print(json.dumps({"peak": peak, "count": count, "entries": events[0].metadata["entries"]}))
"""

TRANSFER = """
import json, os, resource, sys
from remote_store import Store
from remote_store.backends import LocalBackend
from remote_store.ext.transfer import download, transfer, upload

root = sys.argv[1]
size = 256 * 1024 * 1024
src = Store(LocalBackend(root=os.path.join(root, "src")))
dst = Store(LocalBackend(root=os.path.join(root, "dst")))
os.makedirs(os.path.join(root, "src"), exist_ok=True)
block = os.urandom(1024 * 1024)
with open(os.path.join(root, "src", "big.bin"), "wb") as f:
    for _ in range(size // len(block)):
        f.write(block)
del block
moved = []
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = transfer(src, "big.bin", dst, "copy/big.bin", on_progress=moved.append)
after_transfer = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
download(dst, "copy/big.bin", os.path.join(root, "local", "big.bin"))
upload(dst, os.path.join(root, "local", "big.bin"), "again/big.bin")
after_all = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "growth_transfer": (after_transfer - before) * 1024,
    "growth_all": (after_all - before) * 1024,
    "size": result.size,
    "moved": sum(moved),
    "dst_size": os.path.getsize(os.path.join(root, "dst", "again", "big.bin")),
}))
"""


def _run(script: str, *args: str) -> dict[str, int]:
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, int] = json.loads(completed.stdout.strip().splitlines()[-1])
    print(result)  # shown with -s: the measured figures
    return result


@pytest.mark.slow
def test_observed_listing_of_200k_entries_stays_small() -> None:
    result = _run(LISTING)
    assert result["count"] == result["entries"] == 200_000
    assert result["peak"] < LIMIT_MIB * 1024 * 1024


@pytest.mark.slow
def test_transfer_of_256_mib_stays_small(tmp_path: Path) -> None:
    result = _run(TRANSFER, str(tmp_path))
    size = 256 * 1024 * 1024
    assert result["size"] == result["moved"] == result["dst_size"] == size
    assert result["growth_transfer"] < LIMIT_MIB * 1024 * 1024
    assert result["growth_all"] < LIMIT_MIB * 1024 * 1024
