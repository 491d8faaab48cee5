"""A small asyncio TCP proxy that cuts connections after a byte budget."""

from __future__ import annotations

import asyncio
import threading
from typing import Any


class FaultProxy:
    """Forwards 127.0.0.1:``port`` to ``target_port``; :meth:`arm` cuts every connection
    once ``upload`` client->server or ``download`` server->client bytes have passed."""

    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._budget: dict[str, int | None] = {"up": None, "down": None}
        self._writers: set[asyncio.StreamWriter] = set()
        self.cuts = 0
        #: While set, bytes are swallowed instead of forwarded (a silent peer).
        self.stall = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port: int = self._server.sockets[0].getsockname()[1]

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def arm(self, *, upload: int | None = None, download: int | None = None) -> None:
        """Cut after this many more bytes in that direction (``None``: never)."""
        self._budget = {"up": upload, "down": download}

    def disarm(self) -> None:
        self.arm()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        except OSError:
            writer.close()
            return
        pair = (writer, up_writer)
        self._writers.update(pair)
        await asyncio.gather(
            self._pipe(reader, up_writer, "up", pair),
            self._pipe(up_reader, writer, "down", pair),
            return_exceptions=True,
        )
        self._writers.difference_update(pair)

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        direction: str,
        pair: tuple[asyncio.StreamWriter, ...],
    ) -> None:
        try:
            while data := await source.read(65536):
                budget = self._budget[direction]
                if budget is not None:
                    if budget <= len(data):
                        self.cuts += 1
                        self._budget[direction] = None  # one cut per arm()
                        for end in pair:
                            end.transport.abort()
                        return
                    self._budget[direction] = budget - len(data)
                if self.stall:
                    continue
                sink.write(data)
                await sink.drain()
        finally:
            sink.close()

    def close(self) -> None:
        async def stop() -> None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self._call(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
