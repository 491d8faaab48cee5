"""moto's S3 server with each PutObject decided atomically, as S3 decides it.

moto (5.2) checks a PUT's ``If-Match`` / ``If-None-Match`` and then stores the object
with no lock held (``S3Response.put_object``; the ``If-Match`` check even reads the stored
body to compute its ETag). Racing conditional PUTs can then both win: with four writers
of 5 MiB + 1 byte per round (a create race, then an ``If-Match`` race), 3 rounds in 8 had
two winners (none in 8 with 16 bytes: the window is the time moto takes to store the body).
S3 itself never lets two win, and Azurite did not in 16 rounds. So the test servers run
every PutObject under one lock (then 0 in 16): the race rules test the backend (that its
condition travels with the PUT, not in a HEAD before it), not moto's missing lock. A
backend that checked with a HEAD first would still lose those races.

Run as a script (``python atomic_moto.py -H HOST -p PORT``: moto's server), or call
:func:`make_puts_atomic` before starting ``ThreadedMotoServer`` in this process.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

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


if __name__ == "__main__":
    make_puts_atomic()
    from moto.server import main

    main(sys.argv[1:])
