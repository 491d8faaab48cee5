"""moto's S3 server deciding each PutObject atomically, as S3 does.

moto (5.2) checks a PUT's ``If-Match`` / ``If-None-Match`` and then stores the object with
no lock held, so racing conditional PUTs can both win on a loaded machine (the suite's
create-exclusive race saw two winners against a ``moto_server`` in CI; S3 never lets two
win). The race rules test the backend, that its condition travels with the PUT rather
than in a HEAD before it, not moto's missing lock: a server for those rules runs every
PutObject under one lock. A backend that checks with a HEAD first still loses the race.

In the test process, call :func:`make_puts_atomic` before starting moto's
``ThreadedMotoServer``; for a server process, start :func:`server_command`.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

__all__ = ["make_puts_atomic", "server_command"]

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


if __name__ == "__main__":
    make_puts_atomic()
    from moto.server import main

    main(sys.argv[1:])
