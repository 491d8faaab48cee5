"""Core benchmarks: Store over memory and local against raw Python baselines.

Run from the repository root (not part of the test run)::

    python benchmarks/core/run.py            # full: 100k-file listing
    python benchmarks/core/run.py --quick    # fewer repetitions, 10k-file listing

Every pair (store operation, raw baseline) runs in the same process, with the
repetitions interleaved (baseline, store, baseline, store...) so that machine noise hits
both sides alike; each side's figure is the median time per operation. The ratio is
store / baseline; the target is the largest ratio we accept.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from remote_store import Store
from remote_store.backends import LocalBackend, MemoryBackend

PAYLOAD = os.urandom(1024)


@dataclass
class Row:
    name: str
    store_s: float
    base_s: float
    target: float
    unit: str = "x"

    @property
    def ratio(self) -> float:
        return self.store_s / self.base_s

    @property
    def ok(self) -> bool:
        return self.ratio <= self.target


def _per_op(func: Callable[[], object], number: int) -> float:
    clock = time.perf_counter
    start = clock()
    for _ in range(number):
        func()
    return (clock() - start) / number


def compare(
    name: str,
    store_op: Callable[[], object],
    base_op: Callable[[], object],
    *,
    number: int,
    repeat: int,
    target: float,
) -> Row:
    """Median seconds per op of both sides, repetitions interleaved."""
    store_op(), base_op()  # warm caches (normalisation cache, dentries)
    store_times, base_times = [], []
    for _ in range(repeat):
        base_times.append(_per_op(base_op, number))
        store_times.append(_per_op(store_op, number))
    return Row(name, statistics.median(store_times), statistics.median(base_times), target)


def bench_memory(number: int, repeat: int) -> list[Row]:
    store = Store(MemoryBackend())
    store.write("bench/data.bin", PAYLOAD)
    raw: dict[str, bytes] = {"bench/data.bin": PAYLOAD}
    read = compare(
        "memory read_bytes 1 KiB vs dict",
        lambda: store.read_bytes("bench/data.bin"),
        lambda: raw["bench/data.bin"],
        number=number,
        repeat=repeat,
        target=10,
    )
    write = compare(
        "memory write 1 KiB vs dict",
        lambda: store.write("bench/w.bin", PAYLOAD, overwrite=True),
        lambda: raw.__setitem__("bench/w.bin", PAYLOAD),
        number=number,
        repeat=repeat,
        target=15,
    )
    return [read, write]


def bench_local_files(folder: str, number: int, repeat: int) -> list[Row]:
    store = Store(LocalBackend(root=folder))
    store.write("bench/data.bin", PAYLOAD)
    native = os.path.join(store.backend.root, "bench", "data.bin")  # type: ignore[attr-defined]

    def raw_read() -> bytes:
        with open(native, "rb") as stream:
            return stream.read()

    return [
        compare(
            "local read_bytes 1 KiB vs open().read()",
            lambda: store.read_bytes("bench/data.bin"),
            raw_read,
            number=number,
            repeat=repeat,
            target=1.5,
        ),
        compare(
            "local exists vs os.stat",
            lambda: store.exists("bench/data.bin"),
            lambda: os.stat(native),
            number=number,
            repeat=repeat,
            target=2,
        ),
        compare(
            "local get_file_info vs os.stat",
            lambda: store.get_file_info("bench/data.bin"),
            lambda: os.stat(native),
            number=number,
            repeat=repeat,
            target=2,
        ),
    ]


def make_tree(root: str, files: int) -> None:
    """``files`` empty files, 100 per folder, two folder levels."""
    per_folder = 100
    for index in range(files):
        folder = os.path.join(root, f"d{index // 10_000:02d}", f"s{index // per_folder:04d}")
        if index % per_folder == 0:
            os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"f{index:06d}.dat"), "wb"):
            pass


def raw_walk(folder: str) -> int:
    """Recursive os.scandir with a stat of every file: the baseline listing."""
    count = 0
    stack = [folder]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if entry.is_dir():
                    stack.append(entry.path)
                else:
                    entry.stat()
                    count += 1
    return count


def bench_listing(folder: str, files: int, repeat: int) -> Row:
    make_tree(folder, files)
    store = Store(LocalBackend(root=folder))
    listed = sum(1 for _ in store.list_files("", recursive=True))
    assert listed == files == raw_walk(folder), (listed, files)
    return compare(
        f"local recursive listing {files // 1000}k files vs scandir+stat",
        lambda: sum(1 for _ in store.list_files("", recursive=True)),
        lambda: raw_walk(folder),
        number=1,
        repeat=repeat,
        target=2,
    )


_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s*(\S+)")


def bench_import(repeat: int) -> Row:
    """Cold ``import remote_store``: cumulative -X importtime of the package, in ms."""
    samples = []
    # with bytecode caches, as a user's interpreter imports (the first run writes them)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", "import remote_store"], check=True, env=env)
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import remote_store"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        for line in done.stderr.splitlines():
            match = _IMPORT_LINE.match(line)
            if match and match.group(3) == "remote_store":
                samples.append(int(match.group(2)) / 1e6)
    return Row("cold import remote_store (ms)", statistics.median(samples), 1e-3, 20, "ms")


def bench_interpreter_delta(repeat: int) -> tuple[float, float]:
    """Wall time of ``python -c 'import remote_store'`` minus ``python -c pass`` (ms)."""
    bare: list[float] = []
    loaded: list[float] = []
    for _ in range(repeat):
        for code, sink in (("pass", bare), ("import remote_store", loaded)):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            sink.append(time.perf_counter() - start)
    return statistics.median(bare) * 1e3, (
        statistics.median(loaded) - statistics.median(bare)
    ) * 1e3


def report(rows: list[Row]) -> str:
    lines = [
        f"| {'benchmark':<52} | {'store':>10} | {'baseline':>10} | {'ratio':>7} | {'target':>7} | ok |",
        f"|{'-' * 54}|{'-' * 12}|{'-' * 12}|{'-' * 9}|{'-' * 9}|----|",
    ]
    for row in rows:
        if row.unit == "ms":
            lines.append(
                f"| {row.name:<52} | {row.store_s * 1e3:>8.1f}ms | {'-':>10} | {row.store_s * 1e3:>5.1f}ms "
                f"| {row.target:>5.0f}ms | {'yes' if row.store_s * 1e3 <= row.target else 'NO':>2} |"
            )
            continue
        lines.append(
            f"| {row.name:<52} | {_fmt(row.store_s):>10} | {_fmt(row.base_s):>10} | {row.ratio:>6.2f}x "
            f"| {row.target:>6.1f}x | {'yes' if row.ok else 'NO':>2} |"
        )
    return "\n".join(lines)


def _fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f}ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f}us"
    return f"{seconds * 1e9:.0f}ns"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, 10k files")
    parser.add_argument("--files", type=int, help="files in the listing benchmark")
    args = parser.parse_args()
    number, repeat = (2_000, 7) if args.quick else (20_000, 15)
    files = args.files or (10_000 if args.quick else 100_000)

    rows = bench_memory(number, repeat)
    scratch = tempfile.mkdtemp(prefix="rs-bench-")
    try:
        rows += bench_local_files(os.path.join(scratch, "files"), number // 2, repeat)
        rows.append(bench_listing(os.path.join(scratch, "tree"), files, 3 if args.quick else 5))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    rows.append(bench_import(5 if args.quick else 15))
    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} cpus")
    print(report(rows))
    bare, delta = bench_interpreter_delta(5 if args.quick else 11)
    print(f"\nwall clock: bare interpreter {bare:.1f}ms; import remote_store adds {delta:.1f}ms")


if __name__ == "__main__":
    main()
