"""A small pool of SSH connections, each one SSH transport with one SFTP channel.

A connection is leased to one thread at a time. One that failed at the transport level
(timeout, reset, EOF, protocol error) is closed instead of being returned, so the next
lease reconnects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import paramiko
from remote_store.backend import RetryPolicy, call_with_retry
from remote_store.errors import BackendUnavailable, RemoteStoreError

from remote_store_sftp._client import StatusClient
from remote_store_sftp._errors import is_transport_error

__all__ = ["Connection", "ConnectionPool"]

R = TypeVar("R")


class Connection:
    """One SSH transport and its SFTP channel."""

    def __init__(self, client: paramiko.SSHClient, sftp: StatusClient) -> None:
        self.client = client
        self.sftp = sftp
        self.broken = False

    def alive(self) -> bool:
        """Whether the transport and the channel are still open."""
        transport = self.client.get_transport()
        channel = self.sftp.get_channel()
        return (
            not self.broken
            and transport is not None
            and transport.is_active()
            and channel is not None
            and not channel.closed
        )

    def close(self) -> None:
        """Close the channel and the transport, ignoring errors."""
        for closer in (self.sftp.close, self.client.close):
            try:
                closer()
            except Exception:
                pass


class ConnectionPool:
    """At most ``size`` connections, each leased to one thread at a time.

    ``on_lease`` runs on every leased connection before it is handed out.
    """

    def __init__(
        self,
        connect: Callable[[], Connection],
        size: int,
        wait: float,
        on_lease: Callable[[StatusClient], None],
    ) -> None:
        self._connect = connect
        self._on_lease = on_lease
        self._size = size
        self._wait = wait
        self._idle: list[Connection] = []
        self._count = 0
        self._closed = False
        self._cond = threading.Condition()

    def acquire(self) -> Connection:
        """Lease a connection; give it back with :meth:`release`."""
        conn = self._acquire()
        self._on_lease(conn.sftp)
        return conn

    def _acquire(self) -> Connection:
        with self._cond:
            while True:
                while self._idle:
                    conn = self._idle.pop()
                    if conn.alive():
                        return conn
                    self._count -= 1
                    conn.close()
                if self._count < self._size:
                    self._count += 1
                    break
                if not self._cond.wait(self._wait):
                    raise BackendUnavailable(
                        f"all {self._size} SFTP connections stay busy (close open streams or "
                        "raise max_connections)",
                        backend="sftp",
                    )
        try:
            return self._connect()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def release(self, conn: Connection, exc: BaseException | None = None) -> None:
        """Give a leased connection back; one that failed at transport level is closed."""
        if exc is not None and is_transport_error(exc):
            conn.broken = True
        with self._cond:
            if self._closed or not conn.alive():
                self._count -= 1
                conn.close()
            else:
                self._idle.append(conn)
            self._cond.notify()

    def run(
        self,
        op: Callable[[StatusClient], R],
        map_error: Callable[[Exception], RemoteStoreError],
        retry: RetryPolicy | None,
    ) -> R:
        """Run ``op`` on a leased connection; native errors come out through ``map_error``."""

        def attempt() -> R:
            conn = self.acquire()
            try:
                result = op(conn.sftp)
            except Exception as exc:
                self.release(conn, exc)
                if isinstance(exc, RemoteStoreError):
                    raise
                raise map_error(exc) from exc
            self.release(conn)
            return result

        return call_with_retry(retry, attempt, backend="sftp", name=_operation_name(op))

    def close(self) -> None:
        """Close the idle connections; leased ones close when released."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for conn in idle:
            conn.close()


def _operation_name(op: Callable[..., Any]) -> str:
    """The backend method a pooled operation was made in (``_stat`` -> ``stat``)."""
    qualname = getattr(op, "__qualname__", "")
    return qualname.split(".<locals>")[0].rsplit(".", 1)[-1].lstrip("_") or "request"
