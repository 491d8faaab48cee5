"""Whole-process behaviour, each in a subprocess: exit without clean-up, bounded memory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXIT_SCRIPT = textwrap.dedent(
    """
    import sys
    import pyarrow as pa, pyarrow.dataset as ds, pyarrow.parquet as pq
    from remote_store import Store
    from remote_store.backends import LocalBackend, MemoryBackend
    from remote_store.ext.arrow import pyarrow_fs

    store = Store(LocalBackend(root=sys.argv[1]))
    fs = pyarrow_fs(store, materialization_threshold=1024)
    pq.write_table(pa.table({"a": list(range(200_000))}), "t.parquet", filesystem=fs,
                   row_group_size=10_000)
    reader = fs.open_input_file("t.parquet")   # read_seekable tier, never closed
    reader.read(16)
    stream = fs.open_input_stream("t.parquet")  # never closed
    stream.read(16)
    writer = fs.open_output_stream("unclosed.bin")  # never closed: must not be committed
    writer.write(b"x" * 100_000)
    batches = ds.dataset("t.parquet", filesystem=fs, format="parquet").to_batches(
        use_threads=True, batch_size=1000)
    next(iter(batches))  # a threaded scan left half way
    memory_fs = pyarrow_fs(Store(MemoryBackend()))
    memory_out = memory_fs.open_output_stream("m.bin")
    memory_out.write(b"y")
    print("ready", flush=True)
    """
)


@pytest.mark.slow
def test_the_interpreter_exits_promptly_with_streams_and_scans_left_open(tmp_path: Path) -> None:
    script = tmp_path / "leave_open.py"
    script.write_text(EXIT_SCRIPT)
    data = tmp_path / "data"
    data.mkdir()
    done = subprocess.run(
        [sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ready"
    # the unclosed writer was abandoned: no file, no temporary left behind
    assert sorted(p.name for p in data.iterdir()) == ["t.parquet"]


MEMORY_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    import pyarrow as pa
    from remote_store import Store
    from remote_store.backends import LocalBackend
    from remote_store.ext.arrow import pyarrow_fs

    MiB = 1024 * 1024
    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    store = Store(LocalBackend(root=sys.argv[1]))
    fs = pyarrow_fs(store)
    chunk = bytes(range(256)) * 4096  # 1 MiB
    fs.get_file_info(["warm-up"])
    base = peak()
    with fs.open_output_stream("big.bin") as out:
        for _ in range(160):
            out.write(chunk)
    written = peak() - base
    total = 0
    with fs.open_input_file("big.bin") as source:  # above 64 MiB: read_seekable tier
        while data := source.read(MiB):
            total += len(data)
    read = peak() - base
    print(total, written // MiB, read // MiB)
    """
)


@pytest.mark.slow
def test_a_160_mib_write_and_read_run_in_bounded_memory(tmp_path: Path) -> None:
    script = tmp_path / "big.py"
    script.write_text(MEMORY_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr
    total, written_mib, read_mib = (int(x) for x in done.stdout.split())
    assert total == 160 * 1024 * 1024
    assert (tmp_path / "big.bin").stat().st_size == total
    assert written_mib < 40, f"peak RSS grew {written_mib} MiB while writing 160 MiB"
    assert read_mib < 40, f"peak RSS grew {read_mib} MiB while reading 160 MiB"
