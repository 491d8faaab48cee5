"""moto's S3 server deciding each PutObject atomically, as S3 does.

moto (5.2) checks a PUT's ``If-Match`` / ``If-None-Match`` and then stores the object with
no lock held, so racing conditional PUTs can both win on a loaded machine (the suite's
create-exclusive race saw two winners against a ``moto_server`` in CI; S3 never lets two
win). The race rules test the backend, that its condition travels with the PUT rather
than in a HEAD before it, not moto's missing lock: a server for those rules runs every
PutObject under one lock. A backend that checks with a HEAD first still loses the race.

In the test process, call :func:`make_puts_atomic` before starting moto's
``ThreadedMotoServer``; for a server process, use :func:`server_process` (or start
:func:`server_command` yourself).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from remote_store_conformance.servers import (
    ServerProcess,
    free_port,
    server_missing,
    wait_for_port,
)

__all__ = ["make_puts_atomic", "server_command", "server_process"]

_LOCK = threading.Lock()


def make_puts_atomic() -> None:
    """Serialise moto's PutObject handling in this process (idempotent)."""
    from moto.s3.responses import S3Response

    original: Any = S3Response.put_object
    if getattr(original, "_atomic", False):
        return

    def put_object(self: Any) -> Any:
        with _LOCK:
            return original(self)

    put_object._atomic = True  # type: ignore[attr-defined]
    S3Response.put_object = put_object  # type: ignore[method-assign]


def server_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The command line of a ``moto_server`` process with atomic PUTs on ``host:port``."""
    return [sys.executable, "-m", __name__, "-H", host, "-p", str(port)]


@contextmanager
def server_process(timeout: float = 30) -> Iterator[int]:
    """A ``moto_server`` process with atomic PUTs on 127.0.0.1, stopped on exit: yields
    its port. A missing moto or a server that does not start fails (under CI) or skips
    through :func:`~remote_store_conformance.servers.server_missing`."""
    try:
        import moto.server  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        server_missing(f"moto server is not installed ({exc})")
    port = free_port()
    with ServerProcess(server_command(port)).running():
        try:
            wait_for_port(port, timeout=timeout)
        except TimeoutError as exc:  # pragma: no cover
            server_missing(f"moto_server did not start: {exc}")
        yield port


if __name__ == "__main__":
    make_puts_atomic()
    from moto.server import main

    main(sys.argv[1:])
