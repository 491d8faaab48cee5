"""remote-store against its peers, side by side in one run (issue 13).

    python benchmarks/run.py                  # full run (~35-40 min on 2 busy cores)
    python benchmarks/run.py --quick          # under 3 minutes
    python benchmarks/run.py --only list,import
    hatch run bench:all --quick               # the same through hatch

The runner needs only the standard library and ``uv``. It creates two virtual
environments under ``benchmarks/.venvs/`` (gitignored):

* ``project``: this checkout's ``remote-store-core`` and ``remote-store-s3``, installed
  editable (never from the index: PyPI's ``remote-store`` is a different lineage), plus the
  peers fsspec + s3fs, obstore, boto3 and moto (the S3 server);
* ``public``: the public ``remote-store==0.27.0`` release with its ``s3`` extra, which also
  imports as ``remote_store``.

Each library (``raw`` baselines, ``project``, ``public``, ``fsspec``, ``obstore``) runs in its
own worker process (``_worker.py``) with the right interpreter. Every workload sends the
same request to each worker in turn, repetition after repetition (the order rotates), so
noise from other processes hits every library alike; each figure is the median of the
repetitions and is flagged noisy when IQR/median > 20%. Ratios are to the raw baseline
measured in the same run: a dict, ``open``/``os.scandir``/``os.stat``, boto3 for S3.
Large-file samples each run in a fresh process (peak RSS growth per phase).

Results: ``benchmarks/results/<date>-<mode>.json`` and the table in ``docs/benchmarks.md``
(between its ``results`` markers).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENVS = HERE / ".venvs"
RESULTS = HERE / "results"
DOC = REPO / "docs" / "benchmarks.md"
PUBLIC_SPEC = "remote-store[s3]==0.27.0"
PROJECT_PACKAGES = [
    "packages/remote-store-core",
    "packages/remote-store-s3",
    "packages/remote-store-obstore",
]
PEERS = ["'s3fs[boto3]'", "obstore", "'moto[s3]'", "flask", "flask-cors"]
LIBS = ["raw", "project", "public", "fsspec", "obstore", "rs-obstore"]
#: Columns that measure S3 only (this project's ``s3-obstore`` backend, issue 27).
S3_ONLY = {"rs-obstore"}
LABELS = {
    "raw": "raw",
    "project": "this project",
    "public": "remote-store 0.27",
    "fsspec": "fsspec/s3fs",
    "obstore": "obstore",
    "rs-obstore": "s3-obstore",
}
NOISE = 0.20
BUCKET = "bench"
WORKLOADS = ["call", "small", "meta", "list", "large", "requests", "import"]
MIB = 1024 * 1024


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- environments ------------------------------------------------------------------------------


def _uv() -> list[str]:
    if shutil.which("uv"):
        return ["uv"]
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "uv"], check=True)
    return [sys.executable, "-m", "uv"]


def ensure_env(name: str, requirements: list[str]) -> str:
    """A venv under benchmarks/.venvs/NAME with ``requirements`` (re-installed when they change)."""
    venv = VENVS / name
    python = venv / "bin" / "python"
    stamp = venv / ".bench-stamp"
    wanted = hashlib.sha256(" ".join(requirements).encode()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return str(python)
    say(f"creating {venv} ({' '.join(requirements)})")
    uv = _uv()
    subprocess.run(
        [*uv, "venv", "-q", "--allow-existing", "-p", sys.executable, str(venv)], check=True
    )
    args = [arg.strip("'") for arg in requirements]
    subprocess.run([*uv, "pip", "install", "-q", "-p", str(python), *args], check=True, cwd=REPO)
    stamp.write_text(wanted)
    return str(python)


def ensure_envs() -> dict[str, str]:
    project = ensure_env(
        "project", [f"--editable={REPO / p}" for p in PROJECT_PACKAGES] + [*PEERS, "psutil"]
    )
    public = ensure_env("public", [PUBLIC_SPEC])
    return {
        "raw": project,
        "project": project,
        "public": public,
        "fsspec": project,
        "obstore": project,
        "rs-obstore": project,
    }


def versions(pythons: dict[str, str]) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for d in sys.argv[1:]:\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))"
    )
    found: dict[str, str] = {}
    for python, dists in (
        (
            pythons["project"],
            [
                "remote-store-core",
                "remote-store-s3",
                "remote-store-obstore",
                "fsspec",
                "s3fs",
                "obstore",
                "boto3",
                "botocore",
                "aiobotocore",
                "moto",
            ],
        ),
        (pythons["public"], ["remote-store", "s3fs"]),
    ):
        out = subprocess.run(
            [python, "-c", code, *dists], capture_output=True, text=True, check=True
        )
        for dist, version in json.loads(out.stdout).items():
            key = dist if dist not in found or found[dist] == version else f"{dist} (0.27 venv)"
            found[key] = version
    return found


# -- workers -----------------------------------------------------------------------------------


class Workers:
    def __init__(self, pythons: dict[str, str], libs: list[str]) -> None:
        self.libs = libs
        self.procs: dict[str, subprocess.Popen[str]] = {}
        for lib in libs:
            self.procs[lib] = subprocess.Popen(
                [pythons[lib], str(HERE / "_worker.py"), "serve", lib],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
                env={**os.environ, "AWS_EC2_METADATA_DISABLED": "true", "PYTHONHASHSEED": "0"},
            )

    def call(self, lib: str, request: dict[str, Any]) -> dict[str, Any]:
        proc = self.procs[lib]
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {lib} died (see stderr above)")
        answer: dict[str, Any] = json.loads(line)
        if not answer.pop("ok"):
            raise RuntimeError(f"{lib}: {request['op']}: {answer['error']}")
        return answer

    def libs_for(self, backend: str) -> list[str]:
        """The libraries that measure ``backend`` (the S3-only columns skip memory and local)."""
        return [lib for lib in self.libs if backend == "s3" or lib not in S3_ONLY]

    def each(self, request: dict[str, Any], libs: list[str] | None = None) -> None:
        for lib in libs or self.libs:
            self.call(lib, request)

    def close(self) -> None:
        for proc in self.procs.values():
            try:
                assert proc.stdin is not None
                proc.stdin.write('{"op": "quit"}\n')
                proc.stdin.close()
                proc.wait(10)
            except Exception:
                proc.kill()


# -- statistics and rows -----------------------------------------------------------------------


@dataclass
class Stat:
    median: float
    iqr: float
    samples: list[float]

    @property
    def noisy(self) -> bool:
        return self.median > 0 and self.iqr / self.median > NOISE

    @classmethod
    def of(cls, samples: list[float]) -> Stat:
        if len(samples) >= 2:
            q = statistics.quantiles(samples, n=4, method="inclusive")
            iqr = q[2] - q[0]
        else:
            iqr = 0.0
        return cls(statistics.median(samples), iqr, samples)


@dataclass
class Row:
    group: str
    name: str
    unit: str  # "s" (time, lower is better), "ms" (import), "req" (count), "MiB" (RSS)
    stats: dict[str, Stat]
    target: float | None = None  # max ratio to raw (or absolute for ms/req/MiB rows)
    target_text: str = ""
    size: int | None = None  # bytes per op, for MB/s
    notes: list[str] = field(default_factory=list)

    def ratio(self, lib: str) -> float | None:
        if "raw" not in self.stats or lib not in self.stats or self.unit != "s":
            return None
        return self.stats[lib].median / self.stats["raw"].median

    def ratio_between(self, lib: str, base: str) -> float | None:
        """``lib``'s median over ``base``'s (time and import rows)."""
        if lib not in self.stats or base not in self.stats or self.unit not in ("s", "ms"):
            return None
        return self.stats[lib].median / self.stats[base].median

    def met(self) -> bool | None:
        if self.target is None or "project" not in self.stats:
            return None
        if self.unit == "s":
            ratio = self.ratio("project")
            return ratio is not None and ratio <= self.target
        return self.stats["project"].median <= self.target

    def beats_public(self) -> bool | None:
        if "public" not in self.stats or "project" not in self.stats:
            return None
        project, public = self.stats["project"].median, self.stats["public"].median
        if self.unit in ("req", "MiB"):
            # equal request counts are fine; RSS within 1 MiB of 0.27 is measurement noise
            return project <= public + (1.0 if self.unit == "MiB" else 0.0)
        return project < public

    def as_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "name": self.name,
            "unit": self.unit,
            "target": self.target,
            "target_text": self.target_text,
            "met": self.met(),
            "faster_than_public": self.beats_public(),
            "size": self.size,
            "libs": {
                lib: {
                    "median": s.median,
                    "iqr": s.iqr,
                    "noisy": s.noisy,
                    "ratio_to_raw": self.ratio(lib),
                    "ratio_to_obstore": self.ratio_between(lib, "obstore"),
                    "samples": s.samples,
                }
                for lib, s in self.stats.items()
            },
        }


def interleave(
    workers: Workers,
    make_request: Any,
    reps: int,
    libs: list[str],
    metrics: tuple[str, ...] = ("s",),
) -> dict[str, dict[str, Stat]]:
    """``reps`` rounds; each round sends ``make_request(lib, rep)`` to every lib (rotating order)."""
    samples: dict[str, dict[str, list[float]]] = {m: {lib: [] for lib in libs} for m in metrics}
    for rep in range(reps):
        order = libs[rep % len(libs) :] + libs[: rep % len(libs)]
        for lib in order:
            answer = workers.call(lib, make_request(lib, rep))
            for metric in metrics:
                samples[metric][lib].append(answer[metric])
    return {m: {lib: Stat.of(v) for lib, v in per.items()} for m, per in samples.items()}


# -- the benchmark plan ------------------------------------------------------------------------


@dataclass
class Plan:
    quick: bool
    only: set[str]
    scratch: str
    endpoint: str | None = None
    log_path: str | None = None
    s3_only: bool = False
    s3_list: int | None = None  # objects of the S3 listing row (default: 2000 quick, +10k full)
    s3_large: int | None = None  # MiB of the S3 large-file row (default: 64 quick, +256 full)
    libs: list[str] = field(default_factory=lambda: list(LIBS))

    def want(self, workload: str) -> bool:
        return workload in self.only

    @property
    def reps(self) -> int:
        return 5 if self.quick else 9

    @property
    def s3_reps(self) -> int:
        return 3 if self.quick else 5


def open_adapters(workers: Workers, plan: Plan) -> None:
    for lib in workers.libs:
        if lib not in S3_ONLY:
            _open_local_adapters(workers, plan, lib)
        if plan.endpoint:
            workers.call(
                lib,
                {
                    "op": "open",
                    "id": "s3",
                    "backend": "s3",
                    "endpoint": plan.endpoint,
                    "bucket": BUCKET,
                },
            )


def _open_local_adapters(workers: Workers, plan: Plan, lib: str) -> None:
    workers.call(lib, {"op": "open", "id": "memory", "backend": "memory"})
    local_root = os.path.join(plan.scratch, "local", lib)
    workers.call(lib, {"op": "open", "id": "local", "backend": "local", "root": local_root})
    tree_root = os.path.join(plan.scratch, "tree")
    workers.call(lib, {"op": "open", "id": "tree", "backend": "local", "root": tree_root})


def bench_call(workers: Workers, plan: Plan) -> list[Row]:
    rows = []
    targets = {("memory", "read"): 10.0, ("memory", "write"): 15.0, ("local", "read"): 1.5}
    for backend in ("memory", "local"):
        number = (
            (2000 if plan.quick else 20000)
            if backend == "memory"
            else (300 if plan.quick else 2000)
        )
        workers.each(
            {"op": "prep_call", "adapter": backend, "args": {"ns": "b"}}, workers.libs_for(backend)
        )
        for op in ("read", "write"):
            say(f"per-call {backend} {op} 1 KiB")
            stats = interleave(
                workers,
                lambda lib, rep, b=backend, o=op, n=number: {
                    "op": o,
                    "adapter": b,
                    "args": {"ns": "b", "number": n},
                },
                plan.reps,
                workers.libs_for(backend),
            )["s"]
            target = targets.get((backend, op))
            rows.append(
                Row(
                    "per-call overhead",
                    f"{backend} {'read_bytes' if op == 'read' else 'write'} 1 KiB",
                    "s",
                    stats,
                    target,
                    f"<= {target:g}x" if target else "",
                    size=1024,
                )
            )
    return rows


def bench_small(workers: Workers, plan: Plan) -> list[Row]:
    rows = []
    cases: list[tuple[str, int]] = (
        []
        if plan.s3_only
        else [("local", 500)]
        if plan.quick
        else [("local", 1000), ("local", 10_000)]
    )
    if plan.endpoint:
        cases += [("s3", 100)] if plan.quick else [("s3", 200), ("s3", 1000)]
    for backend, n in cases:
        reps = plan.s3_reps if backend == "s3" else (3 if plan.quick else 5)
        for concurrent in (False, True):
            mode = "8 threads" if concurrent else "sequential"
            say(f"small files {backend} N={n} {mode}")

            def request(
                lib: str, rep: int, b: str = backend, n: int = n, c: bool = concurrent
            ) -> dict[str, Any]:
                cleanup = None
                if b == "local":
                    cleanup = os.path.join(
                        plan.scratch, "local", lib, "b", f"small-{n}-{'c' if c else 's'}-{rep}"
                    )
                return {
                    "op": "small",
                    "adapter": b,
                    "args": {
                        "ns": "b" if b == "local" else lib,
                        "n": n,
                        "rep": rep,
                        "concurrent": c,
                        "cleanup": cleanup,
                    },
                }

            stats = interleave(workers, request, reps, workers.libs_for(backend), ("write", "read"))
            for phase in ("write", "read"):
                target = 1.2 if backend == "s3" else None
                rows.append(
                    Row(
                        "small files (4 KiB, per file)",
                        f"{backend} {phase} N={n}, {mode}",
                        "s",
                        stats[phase],
                        target,
                        "<= 1.2x" if target else "",
                        size=4096,
                    )
                )
    return rows


def bench_meta(workers: Workers, plan: Plan) -> list[Row]:
    rows = []
    backends = ([] if plan.s3_only else ["memory", "local"]) + (["s3"] if plan.endpoint else [])
    for backend in backends:
        n = (100 if plan.quick else 1000) if backend == "s3" else 1000
        ns = "b" if backend != "s3" else None
        for lib in workers.libs_for(backend):
            workers.call(
                lib, {"op": "prep_meta", "adapter": backend, "args": {"ns": ns or lib, "n": n}}
            )
        for op, label in (("exists", "exists"), ("info", "get_file_info")):
            say(f"metadata {backend} {label} x{n}")
            stats = interleave(
                workers,
                lambda lib, rep, b=backend, o=op, n=n, ns=ns: {
                    "op": o,
                    "adapter": b,
                    "args": {"ns": ns or lib, "n": n},
                },
                plan.s3_reps if backend == "s3" else plan.reps,
                workers.libs_for(backend),
            )["s"]
            target = 2.0 if backend == "local" else None
            rows.append(
                Row(
                    "metadata (per call)",
                    f"{backend} {label} on {n} files",
                    "s",
                    stats,
                    target,
                    "<= 2x" if target else "",
                )
            )
    return rows


def bench_list(workers: Workers, plan: Plan) -> list[Row]:
    rows = []
    cases = [] if plan.s3_only else [("tree", "local", 10_000)]
    if not plan.quick and not plan.s3_only:
        cases += [("tree", "local", 100_000)]
    if plan.endpoint:
        if plan.s3_list:
            cases += [("s3", "s3", plan.s3_list)]
        else:
            cases += [("s3", "s3", 2000)] + ([] if plan.quick else [("s3", "s3", 10_000)])
    for adapter, backend, n in cases:
        prefix = f"list{n}"
        say(f"populating {backend} {prefix}")
        workers.call(
            "raw", {"op": "populate", "adapter": adapter, "args": {"prefix": prefix, "n": n}}
        )
        say(f"listing {backend} {n} recursively")
        reps = 3 if (plan.quick or n >= 100_000) else 5
        stats = interleave(
            workers,
            lambda lib, rep, a=adapter, p=prefix, n=n: {
                "op": "count",
                "adapter": a,
                "args": {"prefix": p, "expect": n},
            },
            reps,
            workers.libs_for(backend),
        )["s"]
        target, text = None, ""
        if backend == "local":
            target, text = 2.0, "<= 2x"
        elif n == 10_000:
            target, text = 1.0, "<= 1.0x"
        rows.append(
            Row(
                "listing (recursive, whole call)",
                f"{backend} {n // 1000}k files",
                "s",
                stats,
                target,
                text,
            )
        )
    return rows


def bench_requests(workers: Workers, plan: Plan) -> list[Row]:
    """Requests the server saw per operation (moto's request log)."""
    assert plan.log_path is not None
    rows = []
    for lib in workers.libs:
        workers.call(lib, {"op": "prep_call", "adapter": "s3", "args": {"ns": lib}})
    whats = [
        ("create", "write new 4 KiB file", 1.0),
        ("overwrite", "overwrite 4 KiB file", None),
        ("read", "read_bytes", None),
        ("exists", "exists (file)", None),
        ("exists_missing", "exists (missing)", None),
        ("info", "get_file_info", None),
        ("count:list2000", "recursive listing of 2k objects", None),
    ]
    for what, label, target in whats:
        say(f"S3 requests: {label}")
        stats: dict[str, Stat] = {}
        for lib in workers.libs:
            counts = []
            for rep in range(3):
                before = _log_lines(plan.log_path)
                workers.call(
                    lib,
                    {
                        "op": "once",
                        "adapter": "s3",
                        "args": {"ns": lib, "what": what, "tag": f"r{rep}"},
                    },
                )
                counts.append(_settled_lines(plan.log_path) - before)
            stats[lib] = Stat.of([float(c) for c in counts])
        rows.append(
            Row("S3 requests per operation", label, "req", stats, target, "= 1" if target else "")
        )
    return rows


def _log_lines(path: str) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def _settled_lines(path: str) -> int:
    """The line count once moto has logged the last request (it logs after responding)."""
    count, stable_since = _log_lines(path), time.perf_counter()
    while time.perf_counter() - stable_since < 0.05:
        time.sleep(0.01)
        now = _log_lines(path)
        if now != count:
            count, stable_since = now, time.perf_counter()
    return count


def bench_large(pythons: dict[str, str], plan: Plan, libs: list[str]) -> list[Row]:
    rows = []
    local_sizes = [] if plan.s3_only else [64] if plan.quick else [64, 256, 1024]
    cases = [("local", s) for s in local_sizes]
    if plan.endpoint:
        if plan.s3_large:
            cases += [("s3", plan.s3_large)]
        else:
            cases += [("s3", 64)] if plan.quick else [("s3", 64), ("s3", 256)]
    samples = 2 if plan.quick else 3
    every = libs
    for backend, mib in cases:
        libs = [lib for lib in every if backend == "s3" or lib not in S3_ONLY]
        say(f"large {backend} {mib} MiB x{samples} samples per library (fresh process each)")
        data: dict[str, dict[str, list[float]]] = {
            m: {lib: [] for lib in libs} for m in ("write_s", "read_s", "write_rss", "read_rss")
        }
        for rep in range(samples):
            order = libs[rep % len(libs) :] + libs[: rep % len(libs)]
            for lib in order:
                root = os.path.join(plan.scratch, "large", lib)
                key = f"{lib}/large-{mib}-{rep}-{int(time.time() * 1000)}.bin"
                command = [
                    pythons[lib],
                    str(HERE / "_worker.py"),
                    "large",
                    lib,
                    backend,
                    str(mib * MIB),
                    key,
                ]
                command += (
                    ["--root", root]
                    if backend == "local"
                    else ["--endpoint", str(plan.endpoint), "--bucket", BUCKET]
                )
                done = subprocess.run(command, capture_output=True, text=True)
                if done.returncode != 0:
                    raise RuntimeError(f"large {lib} {backend}: {done.stderr[-2000:]}")
                result = json.loads(done.stdout.strip().splitlines()[-1])
                for metric, samples_of in data.items():  # the worker also reports CPU time
                    samples_of[lib].append(result[metric])
                if backend == "local":
                    shutil.rmtree(root, ignore_errors=True)
        for phase in ("write", "read"):
            is_target = backend == "s3" and mib == 256
            rows.append(
                Row(
                    "large files (streamed)",
                    f"{backend} {mib} MiB {phase}",
                    "s",
                    {lib: Stat.of(v) for lib, v in data[f"{phase}_s"].items()},
                    1.5 if is_target else None,
                    "<= 1.5x" if is_target else "",
                    size=mib * MIB,
                )
            )
            rows.append(
                Row(
                    "large files (streamed)",
                    f"{backend} {mib} MiB {phase}: peak RSS growth",
                    "MiB",
                    {lib: Stat.of([x / MIB for x in v]) for lib, v in data[f"{phase}_rss"].items()},
                    32.0 if is_target else None,
                    "<= 32 MiB" if is_target else "",
                )
            )
    return rows


_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)")
# Cold imports are timed as a user's interpreter runs them: with cached bytecode. Under
# PYTHONDONTWRITEBYTECODE (set in some shells and CI) every run would compile every module.
IMPORT_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _import_ms(python: str, statement: str) -> float:
    """Cumulative ``-X importtime`` of the top-level imports ``statement`` adds (ms)."""

    def top(code: str) -> dict[str, int]:
        done = subprocess.run(
            [python, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=IMPORT_ENV,
        )
        found: dict[str, int] = {}
        for line in done.stderr.splitlines():
            match = _IMPORT_LINE.match(line)
            if match and len(match.group(3)) == 1:  # top level: one space of indentation
                found[match.group(4)] = found.get(match.group(4), 0) + int(match.group(2))
        return found

    bare = top("pass")
    loaded = top(statement)
    return sum(us for name, us in loaded.items() if name not in bare) / 1000


def bench_import(pythons: dict[str, str], plan: Plan) -> list[Row]:
    cases = [
        (
            "cold import remote_store",
            # raw is ``import json``: the reference the import budget test compares with
            {
                "raw": "import json",
                "project": "import remote_store",
                "public": "import remote_store",
            },
            20.0,
        ),
        (
            "cold import of the S3 plugin",
            {
                "project": "import remote_store_s3",
                "public": "from remote_store.backends import S3Backend",
                "rs-obstore": "import remote_store_obstore",
            },
            50.0,
        ),
        (
            "cold import of the S3 library",
            {"raw": "import boto3", "fsspec": "import s3fs", "obstore": "import obstore.store"},
            None,
        ),
    ]
    rows = []
    reps = 5 if plan.quick else 11
    for name, statements, target in cases:
        say(name)
        samples: dict[str, list[float]] = {lib: [] for lib in statements}
        for lib, statement in statements.items():  # warm-up: writes the bytecode caches
            if lib in plan.libs:
                _import_ms(pythons[lib], statement)
        for _ in range(reps):
            for lib, statement in statements.items():
                if lib not in plan.libs:
                    continue
                samples[lib].append(_import_ms(pythons[lib], statement))
        rows.append(
            Row(
                "cold import (ms, -X importtime)",
                name,
                "ms",
                {lib: Stat.of(v) for lib, v in samples.items() if v},
                target,
                f"<= {target:g} ms" if target else "",
            )
        )
    return rows


# -- moto ----------------------------------------------------------------------------------


class Moto:
    def __init__(self, python: str, scratch: str) -> None:
        self.log_path = os.path.join(scratch, "moto-requests.log")
        open(self.log_path, "w").close()
        self.proc = subprocess.Popen(
            [python, str(HERE / "_moto.py"), self.log_path, BUCKET],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        port = self.proc.stdout.readline().strip()
        if not port:
            raise RuntimeError("moto server did not start")
        self.endpoint = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# -- report ------------------------------------------------------------------------------------


def _fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e9:.0f} ns"


def _cell(row: Row, lib: str) -> str:
    stat = row.stats.get(lib)
    if stat is None:
        return "-"
    noisy = " ~" if stat.noisy else ""
    if row.unit == "s":
        value = _fmt_time(stat.median)
        if row.size and row.size >= MIB:
            value = f"{row.size / MIB / stat.median:.0f} MB/s"
        ratio = row.ratio(lib)
        if ratio is None or lib == "raw":
            return value + noisy
        return (
            f"{value} (**{ratio:.2f}x**){noisy}"
            if lib == "project"
            else f"{value} ({ratio:.2f}x){noisy}"
        )
    if row.unit == "ms":
        ratio = None if lib == "raw" else row.ratio_between(lib, "raw")
        ratio_text = "" if ratio is None else f" ({ratio:.2f}x)"
        return f"{stat.median:.1f} ms{ratio_text}{noisy}"
    if row.unit == "MiB":
        return f"{stat.median:.1f} MiB"
    return f"{stat.median:g}"


def _versus_obstore(row: Row) -> str:
    """The s3-obstore backend against obstore used directly (target <= 1.1x; RSS <= 32 MiB)."""
    if "rs-obstore" not in row.stats:
        return "-"
    if row.unit == "MiB":
        return f"{row.stats['rs-obstore'].median:.1f} MiB vs {row.stats['obstore'].median:.1f}"
    ratio = row.ratio_between("rs-obstore", "obstore")
    if ratio is None:
        return "-"
    return f"{ratio:.2f}x" if ratio <= 1.1 else f"**{ratio:.2f}x**"


def table(rows: list[Row]) -> str:
    libs = [lib for lib in LIBS if any(lib in row.stats for row in rows)]
    head = [
        "workload",
        *(LABELS[lib] for lib in libs),
        "target",
        "met",
        "beats 0.27",
        "s3-obstore / obstore",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            lines.append(f"| **{group}** |" + " |" * (len(head) - 1))
        met = row.met()
        beats = row.beats_public()
        cells = [
            row.name,
            *(_cell(row, lib) for lib in libs),
            row.target_text or "-",
            "-" if met is None else ("yes" if met else "**NO**"),
            "-" if beats is None else ("yes" if beats else "**NO**"),
            _versus_obstore(row),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in load] if load else None,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def write_doc(markdown: str) -> None:
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    DOC.write_text(f"{before}{start}\n{markdown}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes and fewer repetitions (< 3 min)"
    )
    parser.add_argument("--only", help=f"comma-separated workloads: {', '.join(WORKLOADS)}")
    parser.add_argument("--no-s3", action="store_true", help="skip every S3 workload")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--libs", help=f"comma-separated columns (raw is always kept): {', '.join(LIBS)}"
    )
    parser.add_argument("--s3-only", action="store_true", help="only the S3 rows")
    parser.add_argument("--s3-list", type=int, help="objects in the S3 listing row")
    parser.add_argument("--s3-large", type=int, help="MiB of the S3 large-file row")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else set(WORKLOADS)
    if unknown := only - set(WORKLOADS):
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")

    began = time.perf_counter()
    started_at = datetime.now(UTC)
    load_before = machine()["loadavg"]
    pythons = ensure_envs()
    scratch = tempfile.mkdtemp(prefix="rs-bench-")
    libs = ["raw", *(lib for lib in LIBS if lib != "raw")]
    if args.libs:
        wanted = set(args.libs.split(",")) | {"raw"}
        if unknown_libs := wanted - set(LIBS):
            parser.error(f"unknown libs: {', '.join(sorted(unknown_libs))}")
        libs = [lib for lib in LIBS if lib in wanted]
    plan = Plan(
        quick=args.quick,
        only=only,
        scratch=scratch,
        s3_only=args.s3_only,
        s3_list=args.s3_list,
        s3_large=args.s3_large,
        libs=libs,
    )
    moto = None
    workers = None
    rows: list[Row] = []
    try:
        s3_needed = not args.no_s3 and bool(only & {"small", "meta", "list", "large", "requests"})
        if s3_needed:
            moto = Moto(pythons["project"], scratch)
            plan.endpoint, plan.log_path = moto.endpoint, moto.log_path
            say(f"moto S3 server at {moto.endpoint}")
        if only & {"call", "small", "meta", "list", "requests"}:
            workers = Workers(pythons, plan.libs)
            open_adapters(workers, plan)
            if plan.want("call"):
                rows += bench_call(workers, plan)
            if plan.want("meta"):
                rows += bench_meta(workers, plan)
            if plan.want("list"):
                rows += bench_list(workers, plan)
            if plan.want("small"):
                rows += bench_small(workers, plan)
            if plan.want("requests") and plan.endpoint:
                if not plan.want("list"):
                    workers.call(
                        "raw",
                        {
                            "op": "populate",
                            "adapter": "s3",
                            "args": {"prefix": "list2000", "n": 2000},
                        },
                    )
                rows += bench_requests(workers, plan)
            workers.close()
            workers = None
        if plan.want("large"):
            rows += bench_large(pythons, plan, plan.libs)
        if plan.want("import"):
            rows += bench_import(pythons, plan)
    finally:
        if workers is not None:
            workers.close()
        if moto is not None:
            moto.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    mode = "quick" if args.quick else "full"
    command = (
        "python benchmarks/run.py"
        + (" --quick" if args.quick else "")
        + (f" --only {args.only}" if args.only else "")
        + (f" --libs {args.libs}" if args.libs else "")
        + (" --s3-only" if args.s3_only else "")
        + (f" --s3-list {args.s3_list}" if args.s3_list else "")
        + (f" --s3-large {args.s3_large}" if args.s3_large else "")
    )
    info = machine()
    info["loadavg_before"] = load_before
    found_versions = versions(pythons)
    elapsed = time.perf_counter() - began
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", *PROJECT_PACKAGES],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    commit = head.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")
    result = {
        "date": started_at.isoformat(timespec="seconds"),
        "commit": commit,
        "mode": mode,
        "command": command,
        "elapsed_s": round(elapsed, 1),
        "machine": info,
        "versions": found_versions,
        "noise_threshold": NOISE,
        "rows": [row.as_json() for row in rows],
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{started_at.strftime('%Y%m%d-%H%M%S')}-{mode}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")

    header = (
        f"Run {started_at.strftime('%Y-%m-%d %H:%M UTC')}, `{command}` ({mode}, {elapsed / 60:.1f} min). "
        f"Python {info['python']} on {info['platform']}, {info['cpus']} x {info['cpu']}, "
        f"{info['memory_gib']} GiB; load average {load_before} before, {info['loadavg']} after.\n\n"
        f"Checkout: {commit}. Versions: "
        + ", ".join(f"{k} {v}" for k, v in found_versions.items())
        + ".\n\n"
        f"Medians of interleaved repetitions; `(N.NNx)` is the ratio to raw in the same run (lower is "
        f"better); `~` marks a noisy figure (IQR/median > {NOISE:.0%}). Raw S3 is boto3. "
        f"JSON: `{out.relative_to(REPO)}`.\n"
    )
    markdown = header + "\n" + table(rows)
    print(markdown)
    partial = args.only or args.libs or args.s3_only or args.s3_list or args.s3_large
    if not args.no_doc and not partial:
        write_doc(markdown)
    say(f"done in {elapsed:.0f} s; wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
