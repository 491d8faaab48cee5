"""cProfile of this project's side of the workloads that miss a target.

    benchmarks/.venvs/project/bin/python benchmarks/profiles.py [NAME ...]

Run it with the ``project`` interpreter that ``run.py`` creates. Each profile prints the
top functions by own time (tottime) and by cumulative time, for the project's operation
repeated many times, and the same loop for the raw baseline's wall time, so the extra
time can be attributed. Names: memory_write, memory_read, local_exists, local_info,
local_listing, s3_exists, s3_read_threads, s3_write_256, import.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO, cast

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

KIB = 1024
TOP = 14


def _wall(func: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        func()
    return (time.perf_counter() - start) / number


def profile(
    title: str, func: Callable[[], object], number: int, base: Callable[[], object] | None
) -> None:
    func()
    plain = _wall(func, number)
    raw = _wall(base, number) if base else None
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        func()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(TOP)
    stats.sort_stats("cumulative").print_stats(TOP)
    text = re.sub(r"/\S*/(site-packages|src)/", "", out.getvalue())
    text = "\n".join(line for line in text.splitlines() if line.strip())
    ratio = f", raw {raw * 1e6:.2f} us/op, ratio {plain / raw:.2f}x" if raw else ""
    print(f"\n=== {title}: {plain * 1e6:.2f} us/op unprofiled{ratio}; {number} calls profiled")
    print(text)


def memory() -> tuple[Any, dict[str, bytes]]:
    from remote_store import Store
    from remote_store.backends import MemoryBackend

    store = Store(MemoryBackend())
    store.write("b/call/r.bin", os.urandom(KIB))
    return store, {"b/call/r.bin": os.urandom(KIB)}


def p_memory_write() -> None:
    store, raw = memory()
    data = os.urandom(KIB)
    profile(
        "memory write 1 KiB",
        lambda: store.write("b/call/w.bin", data, overwrite=True),
        50_000,
        lambda: raw.__setitem__("b/call/w.bin", data),
    )


def p_memory_read() -> None:
    store, raw = memory()
    profile(
        "memory read_bytes 1 KiB",
        lambda: store.read_bytes("b/call/r.bin"),
        100_000,
        lambda: raw["b/call/r.bin"],
    )


def local(folder: str) -> tuple[Any, str]:
    from remote_store import Store
    from remote_store.backends import LocalBackend

    store = Store(LocalBackend(root=folder))
    store.write("b/meta/f.bin", os.urandom(KIB))
    return store, os.path.join(folder, "b", "meta", "f.bin")


def p_local_exists() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store, native = local(folder)
        profile(
            "local exists",
            lambda: store.exists("b/meta/f.bin"),
            50_000,
            lambda: os.stat(native),
        )


def p_local_info() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store, native = local(folder)
        profile(
            "local get_file_info",
            lambda: store.get_file_info("b/meta/f.bin"),
            50_000,
            lambda: os.stat(native),
        )


def p_local_listing() -> None:
    import _libs

    with tempfile.TemporaryDirectory() as folder:
        raw = _libs.RawLocal(folder)
        for i in range(10_000):
            raw.write(f"t/d{i // 100:03d}/f{i:05d}.bin", b"", False)
        from remote_store import Store
        from remote_store.backends import LocalBackend

        store = Store(LocalBackend(root=folder))
        profile(
            "local recursive listing of 10k files",
            lambda: sum(1 for _ in store.list_files("t", recursive=True)),
            10,
            lambda: raw.count("t"),
        )


class S3:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                os.path.join(os.path.dirname(__file__), "_moto.py"),
                os.devnull,
                "profile-bench",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.endpoint = f"http://127.0.0.1:{self.proc.stdout.readline().strip()}"
        import _libs

        self.raw = _libs.RawS3(self.endpoint, "profile-bench")
        self.project = _libs.RemoteStore("s3", None, self.endpoint, "profile-bench")

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


def p_s3_exists() -> None:
    s3 = S3()
    try:
        for i in range(200):
            s3.raw.write(f"b/meta/f{i:04d}", b"x", False)
        profile(
            "s3 exists (file)",
            lambda: s3.project.exists("b/meta/f0001"),
            300,
            lambda: s3.raw.exists("b/meta/f0001"),
        )
    finally:
        s3.stop()


def p_s3_read_threads() -> None:
    s3 = S3()
    try:
        keys = [f"b/small/f{i:04d}" for i in range(200)]
        for key in keys:
            s3.raw.write(key, os.urandom(4 * KIB), False)
        pool = ThreadPoolExecutor(8)

        def project() -> None:
            list(pool.map(s3.project.read, keys))

        def raw() -> None:
            list(pool.map(s3.raw.read, keys))

        profile("s3 read 200 x 4 KiB, 8 threads (main thread only)", project, 5, raw)
        # the event-loop thread is where the project's requests run: profile it there
        backend: Any = s3.project.store.backend
        loop_profile = cProfile.Profile()
        backend._sync(_enable(loop_profile))
        for _ in range(5):
            project()
        backend._sync(_disable(loop_profile))
        out = io.StringIO()
        pstats.Stats(loop_profile, stream=out).sort_stats("tottime").print_stats(TOP)
        text = re.sub(r"/\S*/(site-packages|src)/", "", out.getvalue())
        print("\n--- the same, profiled on s3fs's event-loop thread")
        print("\n".join(line for line in text.splitlines() if line.strip()))
    finally:
        s3.stop()


async def _enable(profiler: cProfile.Profile) -> None:
    profiler.enable()


async def _disable(profiler: cProfile.Profile) -> None:
    profiler.disable()


def p_s3_listing() -> None:
    s3 = S3()
    try:
        pool = ThreadPoolExecutor(8)
        list(
            pool.map(
                lambda i: s3.raw.write(f"l/d{i // 100:03d}/f{i:05d}", b"", False), range(10_000)
            )
        )
        profile(
            "s3 recursive listing of 10k objects",
            lambda: s3.project.count("l"),
            3,
            lambda: s3.raw.count("l"),
        )
    finally:
        s3.stop()


def p_s3_write_256() -> None:
    s3 = S3()
    try:
        size = 256 * 1024 * 1024
        s3.project.write("warm", b"x", False)
        profile(
            "s3 256 MiB streamed write",
            lambda: s3.project.stream_write(f"big-{time.time()}", _pattern(size)),
            1,
            lambda: s3.raw.stream_write(f"big-raw-{time.time()}", _pattern(size)),
        )
    finally:
        s3.stop()


def _pattern(size: int) -> BinaryIO:
    """The workers' generated source, typed as the binary stream it stands in for."""
    import _worker

    return cast(BinaryIO, _worker.Pattern(size))


def p_import() -> None:
    for statement in ("import remote_store", "import remote_store_s3"):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", statement],
            capture_output=True,
            text=True,
            check=True,
        )
        rows = []
        for line in done.stderr.splitlines()[1:]:
            self_us, cumulative, name = (part.strip() for part in line.split("|")[0:3])
            rows.append((int(self_us.split(":")[1]), int(cumulative), name))
        print(f"\n=== {statement}: top 20 modules by own import time (us)")
        for own, total_us, name in sorted(rows, reverse=True)[:20]:
            print(f"{own:>8} own {total_us:>8} cumulative  {name}")


NAMES = {
    "memory_write": p_memory_write,
    "memory_read": p_memory_read,
    "local_exists": p_local_exists,
    "local_info": p_local_info,
    "local_listing": p_local_listing,
    "s3_exists": p_s3_exists,
    "s3_read_threads": p_s3_read_threads,
    "s3_listing": p_s3_listing,
    "s3_write_256": p_s3_write_256,
    "import": p_import,
}


if __name__ == "__main__":
    for name in sys.argv[1:] or list(NAMES):
        NAMES[name]()
