"""BufferedObserver: hand events to a slow handler on a background thread."""

from __future__ import annotations

import logging
import queue
import threading

from remote_store._events import EventHandler, StoreEvent, deliver
from remote_store.errors import InvalidArgument

__all__ = ["BufferedObserver"]

_log = logging.getLogger("remote_store.ext.observe")
_STOP = object()


class BufferedObserver:
    """Queue events and deliver them to ``handler`` on a daemon thread.

    Use its :meth:`on_event` (or the observer itself) as an ``observe`` callback. The
    store never waits for the handler: when ``max_queue`` events are waiting, new ones are
    dropped and counted in :attr:`dropped`. The worker wakes at least every
    ``flush_interval`` seconds. :meth:`flush` waits until every queued event was handled;
    :meth:`close` flushes and stops the thread.
    """

    def __init__(
        self, handler: EventHandler, *, max_queue: int = 1000, flush_interval: float = 1.0
    ) -> None:
        if not callable(handler):
            raise InvalidArgument("handler must be callable")
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise InvalidArgument(f"max_queue must be a positive int, got {max_queue!r}")
        if not isinstance(flush_interval, (int, float)) or flush_interval <= 0:
            raise InvalidArgument(f"flush_interval must be > 0, got {flush_interval!r}")
        self._handler = handler
        self._interval = float(flush_interval)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_queue)
        self._closed = False
        self._drop_lock = threading.Lock()
        #: Events dropped because the queue was full (or the observer closed).
        self.dropped = 0
        self._thread = threading.Thread(
            target=self._work, name="remote-store-observer", daemon=True
        )
        self._thread.start()

    def on_event(self, event: StoreEvent) -> None:
        """Queue ``event``; never blocks."""
        if self._closed:
            self._drop()
            return
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self._drop()

    __call__ = on_event

    def _drop(self) -> None:
        with self._drop_lock:
            self.dropped += 1

    def _work(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self._interval)
            except queue.Empty:
                continue
            try:
                if item is _STOP:
                    return
                assert isinstance(item, StoreEvent)
                deliver(self._handler, item)
            finally:
                self._queue.task_done()

    def flush(self) -> None:
        """Block until every event queued so far has been handled."""
        if self._thread.is_alive():
            self._queue.join()

    def close(self) -> None:
        """Deliver what is queued, then stop the worker thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()

    def __enter__(self) -> BufferedObserver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
