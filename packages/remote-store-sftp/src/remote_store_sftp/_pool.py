"""SSH connections for the SFTP backend: a status-code-preserving client and a small pool.

Each pooled connection is one SSH transport with one SFTP channel, used by one
thread at a time. A connection that failed at the transport level (timeout, reset,
EOF, protocol error) is closed instead of being returned, so the next lease
reconnects.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import paramiko
from paramiko.sftp import CMD_EXTENDED, int64
from remote_store.errors import BackendUnavailable

__all__ = ["Connection", "ConnectionPool", "SFTPStatusError", "StatusClient"]

SFTP_NO_SUCH_FILE = 2
SFTP_PERMISSION_DENIED = 3
SFTP_FAILURE = 4
SFTP_OP_UNSUPPORTED = 8
_ERRNO = {SFTP_NO_SUCH_FILE: errno.ENOENT, SFTP_PERMISSION_DENIED: errno.EACCES}


class SFTPStatusError(OSError):
    """An SFTP status reply that is an error; ``code`` is the SSH_FX_* number."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(_ERRNO.get(code, errno.EIO), text)
        self.code = code


class StatusClient(paramiko.SFTPClient):
    """paramiko's client, raising :class:`SFTPStatusError` so the status code survives."""

    def _convert_status(self, msg: paramiko.Message) -> None:
        code = msg.get_int()
        text = msg.get_text()
        if code == paramiko.sftp.SFTP_OK:
            return
        if code == paramiko.sftp.SFTP_EOF:
            raise EOFError(text)  # paramiko's own loops rely on it
        raise SFTPStatusError(code, text)

    def extended(self, name: str, *args: Any) -> None:
        """Send an extended request (``hardlink@openssh.com``, ``copy-data``...)."""
        self._request(CMD_EXTENDED, name, *args)  # type: ignore[attr-defined]

    def hardlink(self, old: str, new: str) -> None:
        """``hardlink@openssh.com``: create-only, fails when ``new`` exists."""
        self.extended("hardlink@openssh.com", old, new)

    def copy_data(self, src: paramiko.SFTPFile, dst: paramiko.SFTPFile) -> None:
        """The ``copy-data`` extension: the server copies ``src`` into ``dst``."""
        self.extended("copy-data", src.handle, int64(0), int64(0), dst.handle, int64(0))


def is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` leaves the connection unusable (as opposed to a status reply)."""
    if isinstance(exc, SFTPStatusError):
        return False
    return isinstance(
        exc,
        (socket.timeout, TimeoutError, EOFError, ConnectionError, paramiko.SSHException, OSError),
    )


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
    """At most ``size`` connections, each leased to one thread at a time."""

    def __init__(self, connect: Callable[[], Connection], size: int, wait: float) -> None:
        self._connect = connect
        self._size = size
        self._wait = wait
        self._idle: list[Connection] = []
        self._count = 0
        self._closed = False
        self._cond = threading.Condition()

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

    def _release(self, conn: Connection) -> None:
        with self._cond:
            if self._closed or not conn.alive():
                self._count -= 1
                conn.close()
            else:
                self._idle.append(conn)
            self._cond.notify()

    def acquire(self) -> Connection:
        """Lease a connection; give it back with :meth:`release`."""
        return self._acquire()

    def release(self, conn: Connection, exc: BaseException | None = None) -> None:
        """Give a leased connection back; one that failed at transport level is closed."""
        if exc is not None and is_transport_error(exc):
            conn.broken = True
        self._release(conn)

    @contextmanager
    def lease(self) -> Iterator[Connection]:
        """A connection for the duration of the block."""
        conn = self._acquire()
        try:
            yield conn
        except BaseException as exc:
            self.release(conn, exc)
            raise
        self._release(conn)

    def close(self) -> None:
        """Close the idle connections; leased ones close when released."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for conn in idle:
            conn.close()
