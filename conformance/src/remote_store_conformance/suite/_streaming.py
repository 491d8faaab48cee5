"""Rules about memory: a large file streams through in bounded memory."""

from __future__ import annotations

import tracemalloc

import pytest
from remote_store import Backend, Capability, Store

from remote_store_conformance._helpers import PatternStream, pattern
from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import Settings

__all__ = ["StreamingRules"]

_CHUNK = 1024 * 1024
#: A backend storing in this process's memory holds the file itself: its peak may reach
#: the file's size plus this share of it, never a second copy.
IN_PROCESS_SLACK = 0.25
#: Buffers whose size does not grow with the file (a few chunks in flight).
FIXED_ALLOWANCE = 4 * _CHUNK


def _write_bound(backend: Backend, size: int) -> int:
    """The peak a streaming write of ``size`` bytes may reach on ``backend``."""
    if backend.in_process_storage:
        return int(size * (1 + IN_PROCESS_SLACK)) + FIXED_ALLOWANCE
    return size // 4 + FIXED_ALLOWANCE


class StreamingRules:
    """Streaming write then read of a large file keeps the peak far below its size.

    A backend declaring ``IN_PROCESS_STORAGE`` (the memory backend) keeps what it stores
    in this process, so its write may hold the file once (peak <= 1.25x the size); a
    read still streams (peak < size / 4). Both bounds add 4 MiB for fixed-size buffers.
    """

    def _check_switch(self, backend: Backend) -> None:
        if getattr(self, "rs_in_process_storage", None) is not None:
            pytest.fail(
                "rs_in_process_storage is gone: the backend declares IN_PROCESS_STORAGE "
                f"(this one declares {backend.in_process_storage})",
                pytrace=False,
            )

    @rule(Capability.WRITE)
    def test_write_of_a_large_stream_runs_in_bounded_memory(
        self, rs_store: Store, rs_settings: Settings
    ) -> None:
        self._check_switch(rs_store.backend)
        size = rs_settings.large_file_size
        bound = _write_bound(rs_store.backend, size)
        tracemalloc.start()
        try:
            result = rs_store.write("large/stream.bin", pattern(size))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert result.size == size
        assert peak <= bound, f"writing {size} bytes peaked at {peak} bytes (bound {bound})"

    @rule(Capability.READ, Capability.WRITE)
    def test_read_of_a_large_file_runs_in_bounded_memory(
        self, rs_store: Store, rs_settings: Settings
    ) -> None:
        self._check_switch(rs_store.backend)
        size = rs_settings.large_file_size
        rs_store.write("large/read.bin", pattern(size))
        tracemalloc.start()
        offset = 0
        try:
            with rs_store.read("large/read.bin") as stream:
                while chunk := stream.read(_CHUNK):
                    if offset == 0 or offset + len(chunk) == size:
                        assert chunk == PatternStream.expected_chunk(offset, len(chunk))
                    offset += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert offset == size
        bound = size // 4 + FIXED_ALLOWANCE
        assert peak <= bound, f"reading {size} bytes peaked at {peak} bytes (bound {bound})"
