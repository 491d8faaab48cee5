"""A background thread that checks an observation again and again while an operation runs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

__all__ = ["Poller"]


class Poller:
    """Runs ``check`` in a loop until the ``with`` block ends; re-raises its first failure.

    ``check`` returns nothing and raises (an ``AssertionError``) on a forbidden
    observation. ``polls`` counts the completed checks.
    """

    def __init__(self, check: Callable[[], None]) -> None:
        self._check = check
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rs-conformance-poller")
        self.polls = 0
        self.failure: BaseException | None = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._check()
            except BaseException as exc:  # reported by __exit__
                self.failure = exc
                return
            self.polls += 1

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        if kind is None and self.failure is not None:
            raise self.failure
