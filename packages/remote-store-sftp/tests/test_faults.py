"""Connections cut mid-transfer through a TCP proxy: typed error, old file intact, and the
next call reconnects."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

import pytest
from remote_store import RetryPolicy, Store
from remote_store.errors import BackendUnavailable

from .conftest import SSHServer
from .faultproxy import FaultProxy

SIZE = 8 * 1024 * 1024


class Zeros(io.RawIOBase):
    """``size`` bytes produced on demand (a stream the backend cannot replay)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = b"z" * count
        self.left -= count
        return count


@pytest.fixture
def proxied(server: SSHServer) -> Iterator[tuple[Store, Store, FaultProxy, str]]:
    """(store through the proxy, direct store, proxy, local folder)."""
    proxy = FaultProxy(server.port)
    local, base = server.new_folder()
    known = server.host_key_line.replace(f":{server.port} ", f":{proxy.port} ")
    retry = RetryPolicy(max_attempts=2, backoff_base=0.05, jitter=0)
    via = Store(
        server.backend(
            base_path=base,
            port=proxy.port,
            known_host_keys=known,
            retry=retry,
            io_timeout=5,
            max_connections=1,
        )
    )
    direct = Store(server.backend(base_path=base))
    yield via, direct, proxy, local
    via.close()
    direct.close()
    proxy.close()


def _temps(local: str) -> list[str]:
    return [n for n in os.listdir(local) if n.startswith(".~tmp.")]


def test_cut_mid_upload(proxied: tuple[Store, Store, FaultProxy, str]) -> None:
    via, direct, proxy, local = proxied
    via.write("f.bin", b"old content")
    proxy.arm(upload=2 * 1024 * 1024)
    with pytest.raises(BackendUnavailable):
        via.write("f.bin", cast(BinaryIO, Zeros(SIZE)), overwrite=True)
    assert proxy.cuts == 1
    assert direct.read_bytes("f.bin") == b"old content"
    proxy.disarm()
    assert via.read_bytes("f.bin") == b"old content"  # reconnected
    assert _temps(local) == []  # the orphan was removed on the new connection
    via.write("f.bin", cast(BinaryIO, Zeros(SIZE)), overwrite=True)
    assert direct.get_file_info("f.bin").size == SIZE


def test_cut_mid_download(proxied: tuple[Store, Store, FaultProxy, str]) -> None:
    via, direct, proxy, _ = proxied
    direct.write("f.bin", cast(BinaryIO, Zeros(SIZE)))
    proxy.arm(download=2 * 1024 * 1024)
    with pytest.raises(BackendUnavailable):
        with via.read("f.bin") as stream:
            while stream.read(1024 * 1024):
                pass
    assert proxy.cuts == 1
    proxy.disarm()
    assert via.read_bytes("f.bin") == b"z" * SIZE
    assert direct.get_file_info("f.bin").size == SIZE


def test_cut_mid_open_atomic(proxied: tuple[Store, Store, FaultProxy, str]) -> None:
    via, direct, proxy, local = proxied
    via.write("f.bin", b"old")
    proxy.arm(upload=1024 * 1024)
    with pytest.raises(BackendUnavailable):
        with via.open_atomic("f.bin", overwrite=True) as out:
            for _ in range(8):
                out.write(b"n" * 1024 * 1024)
    assert direct.read_bytes("f.bin") == b"old"
    proxy.disarm()
    assert via.read_bytes("f.bin") == b"old"
    assert _temps(local) == []


def test_idempotent_call_retries_over_a_dead_connection(
    proxied: tuple[Store, Store, FaultProxy, str],
) -> None:
    via, _, proxy, _ = proxied
    via.write("a.txt", b"1")
    proxy.arm(download=1)  # the next server bytes cut the pooled connection
    proxy_cut_then_ok = via.read_bytes("a.txt")  # retried on a new connection
    assert proxy_cut_then_ok == b"1"
    assert proxy.cuts == 1


def test_silent_peer_times_out(server: SSHServer) -> None:
    proxy = FaultProxy(server.port)
    _, base = server.new_folder()
    known = server.host_key_line.replace(f":{server.port} ", f":{proxy.port} ")
    store = Store(
        server.backend(
            base_path=base,
            port=proxy.port,
            known_host_keys=known,
            retry=RetryPolicy.disabled(),
            io_timeout=1,
        )
    )
    try:
        store.write("a.txt", b"1")
        proxy.stall = True
        with pytest.raises(BackendUnavailable):
            store.read_bytes("a.txt")
        proxy.stall = False
        assert store.read_bytes("a.txt") == b"1"  # a new connection
    finally:
        store.close()
        proxy.close()
