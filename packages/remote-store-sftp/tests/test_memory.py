"""64 MiB streamed write and read keep RSS growth small (measured in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from .conftest import SSHServer

LIMIT = 32 * 1024 * 1024

_SCRIPT = textwrap.dedent(
    """
    import io, json, sys
    from remote_store import Store
    from remote_store_sftp import SFTPBackend

    SIZE = 64 * 1024 * 1024

    class Source(io.RawIOBase):
        left = SIZE
        def readable(self): return True
        def readinto(self, buffer):
            n = min(len(buffer), self.left)
            buffer[:n] = b"q" * n
            self.left -= n
            return n

    def rss(field):
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
        raise SystemExit("no " + field)

    options = json.loads(sys.argv[1])
    store = Store(SFTPBackend(**options))
    store.write("warm", b"w" * 2_000_000)
    with store.read("warm") as stream:
        stream.read()
    base = rss("VmRSS:")
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")  # reset the peak (VmHWM)
    store.write("big.bin", Source())
    write_peak = rss("VmHWM:")
    total = 0
    with store.read("big.bin") as stream:
        while chunk := stream.read(1024 * 1024):
            total += len(chunk)
    read_peak = rss("VmHWM:")
    print(json.dumps({"base": base, "write_peak": write_peak, "read_peak": read_peak,
                      "read": total}))
    """
)


@pytest.mark.slow
def test_64mib_stream_write_and_read_in_bounded_memory(server: SSHServer) -> None:
    _, base = server.new_folder()
    options = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": server.username,
        "key_filename": server.key_path,
        "known_host_keys": server.host_key_line,
        "base_path": base,
    }
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{server.kind} RSS figures: {figures}")
    assert figures["read"] == 64 * 1024 * 1024
    assert figures["write_peak"] - figures["base"] < LIMIT
    assert figures["read_peak"] - figures["base"] < LIMIT
