"""A benchmark worker: one library, one process, driven by ``run.py``.

Two modes:

* ``python _worker.py serve LIB``: reads JSON requests on stdin, one a line, answers one
  JSON line each on the original stdout (the library's own prints go to stderr). The
  runner keeps one such process per library and sends the same request to each in turn,
  so repetitions of every library interleave.
* ``python _worker.py large LIB BACKEND SIZE KEY --root/--endpoint/--bucket``: one
  sample of a large streamed write then read in this fresh process, with the time and the
  peak RSS growth of each phase (``/proc/self/clear_refs`` resets the peak between them).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _libs

KIB = 1024
MIB = 1024 * KIB
CALL_KEY = "call/r.bin"
META_FILES = 1000


def _keys(prefix: str, n: int) -> list[str]:
    """``n`` keys, 100 per folder."""
    return [f"{prefix}/d{i // 100:03d}/f{i:05d}.bin" for i in range(n)]


class Worker:
    def __init__(self, lib: str) -> None:
        self.lib = lib
        self.adapters: dict[str, _libs.Adapter] = {}
        self.pool = ThreadPoolExecutor(max_workers=8)
        self.payload_1k = os.urandom(KIB)
        self.payload_4k = os.urandom(4 * KIB)

    # -- requests ------------------------------------------------------------------------

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "open":
            self.adapters[request["id"]] = _libs.make(
                self.lib,
                request["backend"],
                root=request.get("root"),
                endpoint=request.get("endpoint"),
                bucket=request.get("bucket"),
            )
            return {}
        adapter = self.adapters[request["adapter"]]
        method = getattr(self, "w_" + op)
        result: dict[str, Any] = method(adapter, **request.get("args", {}))
        return result

    # -- workloads: each returns seconds per operation -----------------------------------

    def w_prep_call(self, a: _libs.Adapter, ns: str) -> dict[str, Any]:
        a.write(f"{ns}/{CALL_KEY}", self.payload_1k, False)
        return {}

    def w_read(self, a: _libs.Adapter, ns: str, number: int) -> dict[str, Any]:
        key = f"{ns}/{CALL_KEY}"
        read = a.read
        start = time.perf_counter()
        for _ in range(number):
            read(key)
        return {"s": (time.perf_counter() - start) / number}

    def w_write(self, a: _libs.Adapter, ns: str, number: int) -> dict[str, Any]:
        key, data, write = f"{ns}/call/w.bin", self.payload_1k, a.write
        start = time.perf_counter()
        for _ in range(number):
            write(key, data, False)
        return {"s": (time.perf_counter() - start) / number}

    def w_small(
        self,
        a: _libs.Adapter,
        ns: str,
        n: int,
        rep: int,
        concurrent: bool,
        cleanup: str | None = None,
    ) -> dict[str, Any]:
        """Write ``n`` new 4 KiB files, then read them all back."""
        keys = _keys(f"{ns}/small-{n}-{'c' if concurrent else 's'}-{rep}", n)
        data = self.payload_4k

        def write(key: str) -> None:
            a.write(key, data, True)

        start = time.perf_counter()
        if concurrent:
            list(self.pool.map(write, keys))
        else:
            for key in keys:
                write(key)
        middle = time.perf_counter()
        sizes = list(self.pool.map(a.read, keys)) if concurrent else [a.read(k) for k in keys]
        end = time.perf_counter()
        assert all(len(s) == len(data) for s in sizes)
        if cleanup:
            shutil.rmtree(cleanup, ignore_errors=True)
        return {"write": (middle - start) / n, "read": (end - middle) / n}

    def w_prep_meta(self, a: _libs.Adapter, ns: str, n: int = META_FILES) -> dict[str, Any]:
        keys = _keys(f"{ns}/meta", n)
        list(self.pool.map(lambda key: a.write(key, self.payload_1k, False), keys))
        return {}

    def w_exists(self, a: _libs.Adapter, ns: str, n: int = META_FILES) -> dict[str, Any]:
        keys = _keys(f"{ns}/meta", n)
        exists = a.exists
        start = time.perf_counter()
        for key in keys:
            if not exists(key):
                raise AssertionError(key)
        return {"s": (time.perf_counter() - start) / n}

    def w_info(self, a: _libs.Adapter, ns: str, n: int = META_FILES) -> dict[str, Any]:
        keys = _keys(f"{ns}/meta", n)
        info = a.info
        start = time.perf_counter()
        for key in keys:
            info(key)
        return {"s": (time.perf_counter() - start) / n}

    def w_count(self, a: _libs.Adapter, prefix: str, expect: int) -> dict[str, Any]:
        start = time.perf_counter()
        found = a.count(prefix)
        elapsed = time.perf_counter() - start
        if found != expect:
            raise AssertionError(f"listed {found}, expected {expect}")
        return {"s": elapsed}

    def w_populate(self, a: _libs.Adapter, prefix: str, n: int) -> dict[str, Any]:
        """Create ``n`` empty objects/files under ``prefix`` (set-up, not timed)."""
        list(self.pool.map(lambda key: a.write(key, b"", False), _keys(prefix, n)))
        return {}

    def w_once(self, a: _libs.Adapter, ns: str, what: str, tag: str) -> dict[str, Any]:
        """One operation, for counting the server's requests."""
        key = f"{ns}/once/{tag}.bin"
        if what == "create":
            a.write(key, self.payload_4k, True)
        elif what == "overwrite":
            a.write(f"{ns}/{CALL_KEY}", self.payload_4k, False)
        elif what == "read":
            a.read(f"{ns}/{CALL_KEY}")
        elif what == "exists":
            a.exists(f"{ns}/{CALL_KEY}")
        elif what == "exists_missing":
            a.exists(f"{ns}/missing/{tag}")
        elif what == "info":
            a.info(f"{ns}/{CALL_KEY}")
        elif what.startswith("count:"):
            a.count(what.partition(":")[2])
        else:
            raise ValueError(what)
        return {}


def serve(lib: str) -> None:
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not break the protocol
    worker = Worker(lib)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        try:
            answer = {"ok": True, **worker.handle(request)}
        except Exception as exc:
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        channel.write(json.dumps(answer) + "\n")
    for adapter in worker.adapters.values():
        try:
            adapter.close()
        except Exception:
            pass
    channel.close()


# -- large streamed files, one sample per process ---------------------------------------------


class Pattern(io.RawIOBase):
    """``size`` bytes of a repeated random 1 MiB block, produced as they are read."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = os.urandom(MIB)
        self.offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        n = min(len(view), self.left, MIB - self.offset)
        view[:n] = self.block[self.offset : self.offset + n]
        self.offset = (self.offset + n) % MIB
        self.left -= n
        return n


def _status(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _phase(run: Any) -> tuple[float, int, Any, float]:
    """Seconds, peak RSS growth (bytes), value and CPU seconds (all threads) of ``run()``."""
    before = _status("VmRSS:")
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # reset VmHWM to the current RSS
    except OSError:
        pass
    cpu = _cpu()
    start = time.perf_counter()
    value = run()
    elapsed = time.perf_counter() - start
    return elapsed, max(0, _status("VmHWM:") - before), value, _cpu() - cpu


def large(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lib")
    parser.add_argument("backend")
    parser.add_argument("size", type=int)
    parser.add_argument("key")
    parser.add_argument("--root")
    parser.add_argument("--endpoint")
    parser.add_argument("--bucket")
    parser.add_argument("--short-reads", action="store_true", help="the bare raw stream")
    args = parser.parse_args(argv)
    adapter = _libs.make(
        args.lib, args.backend, root=args.root, endpoint=args.endpoint, bucket=args.bucket
    )
    # warm the client (connection, credentials) outside the measured phases
    adapter.write(args.key + ".warm", b"x", False)
    adapter.read(args.key + ".warm")
    # read as from a file opened with ``open()``: full reads. A bare raw stream returns
    # 1 MiB per read, which boto3's upload_fileobj takes for a small body: it then reads
    # the whole stream into memory and sends one PUT (2x the size in RSS), no transfer.
    source: Any = Pattern(args.size)
    if not args.short_reads:
        source = io.BufferedReader(source, MIB)
    write_s, write_rss, _, write_cpu = _phase(lambda: adapter.stream_write(args.key, source))
    read_s, read_rss, total, read_cpu = _phase(lambda: adapter.stream_read(args.key))
    if total != args.size:
        raise SystemExit(f"read {total} bytes, expected {args.size}")
    adapter.close()
    print(
        json.dumps(
            {
                "write_s": write_s,
                "read_s": read_s,
                "write_rss": write_rss,
                "read_rss": read_rss,
                "write_cpu": write_cpu,
                "read_cpu": read_cpu,
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif sys.argv[1] == "large":
        large(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
