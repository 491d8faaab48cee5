"""The exit gate between arrow's threads and Python.

pyarrow calls a Python filesystem handler and Python file objects from its own C++ threads.
If one of those threads enters Python while the interpreter finalises, CPython stops it with
``pthread_exit``, whose forced unwind through arrow's ``noexcept`` frames aborts the process
("terminate called without an active exception"), typically when a threaded dataset scan
is left half way at exit. So at exit (``atexit``, while Python is still whole) the gate is
closed: every later call from arrow fails at once with an ``OSError``, arrow winds the scan
down, and the hook waits until no call is running and arrow has been quiet for a moment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["close_gate", "entering", "wait_until_quiet"]

_state = threading.Condition()
_open = True
_running = 0
_last_call = 0.0


@contextmanager
def entering() -> Iterator[None]:
    """Run one call from arrow, or fail it when the interpreter is exiting."""
    global _running, _last_call
    with _state:
        _last_call = time.monotonic()
        if not _open:
            raise OSError("the interpreter is exiting")
        _running += 1
    try:
        yield
    finally:
        with _state:
            _running -= 1
            _last_call = time.monotonic()
            _state.notify_all()


def close_gate() -> None:
    """Refuse every later call from arrow."""
    global _open
    with _state:
        _open = False


def wait_until_quiet(quiet: float = 0.25, limit: float = 5.0) -> None:
    """Wait (at most ``limit`` seconds) until no call runs and none came for ``quiet`` s."""
    deadline = time.monotonic() + limit
    with _state:
        while time.monotonic() < deadline:
            idle_for = time.monotonic() - _last_call
            if _running == 0 and idle_for >= quiet:
                return
            _state.wait(min(quiet, max(0.01, deadline - time.monotonic())))
