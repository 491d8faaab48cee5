"""Rules about memory: a large file streams through in bounded memory."""

from __future__ import annotations

import tracemalloc

import pytest
from remote_store import Capability, Store

from remote_store_conformance._helpers import PatternStream, pattern
from remote_store_conformance._markers import rule

__all__ = ["StreamingRules"]

_CHUNK = 1024 * 1024


class StreamingRules:
    """Streaming write then read of a large file keeps the peak far below its size."""

    def _skip_in_process(self) -> None:
        if getattr(self, "rs_in_process_storage", False):
            pytest.skip("the backend stores data in this process's memory")

    @rule(Capability.WRITE)
    def test_write_of_a_large_stream_runs_in_bounded_memory(self, rs_store: Store) -> None:
        self._skip_in_process()
        size = int(getattr(self, "rs_large_file_size", 64 * _CHUNK))
        tracemalloc.start()
        try:
            result = rs_store.write("large/stream.bin", pattern(size))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert result.size == size
        assert peak < size // 4, f"writing {size} bytes peaked at {peak} bytes"

    @rule(Capability.READ, Capability.WRITE)
    def test_read_of_a_large_file_runs_in_bounded_memory(self, rs_store: Store) -> None:
        self._skip_in_process()
        size = int(getattr(self, "rs_large_file_size", 64 * _CHUNK))
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
        assert peak < size // 4, f"reading {size} bytes peaked at {peak} bytes"
