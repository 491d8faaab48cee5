"""A private event loop running in a daemon thread, for calling async code from sync code."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """One event loop in one daemon thread; ``stop`` ends both and is safe to call twice."""

    def __init__(self, name: str = "rs-aio-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self.stopped = False
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)
        self.thread.start()
        self._ready.wait()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        try:
            self.loop.run_forever()
        finally:
            self._cancel_leftovers()
            self.loop.close()

    def _cancel_leftovers(self) -> None:
        tasks = [task for task in asyncio.all_tasks(self.loop) if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            gathered = asyncio.gather(*tasks, return_exceptions=True)
            self.loop.run_until_complete(gathered)
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def in_loop_thread(self) -> bool:
        """Whether the caller is this loop's own thread."""
        return threading.current_thread() is self.thread

    def stop(self, timeout: float | None = 30.0) -> bool:
        """Stop the loop and join its thread; ``True`` when the thread has ended."""
        with self._lock:
            if not self.stopped:
                self.stopped = True
                try:
                    self.loop.call_soon_threadsafe(self.loop.stop)
                except RuntimeError:  # already closed
                    pass
        if self.in_loop_thread():
            return False
        self.thread.join(timeout)
        return not self.thread.is_alive()
