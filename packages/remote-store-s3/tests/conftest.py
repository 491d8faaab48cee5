"""Fixtures: one moto S3 server on loopback per session, a fresh bucket per test, the
server's request log, and a fault-injecting TCP proxy."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from remote_store import Store
from remote_store.backend import RetryPolicy
from remote_store_conformance.atomic_moto import make_puts_atomic, server_process
from remote_store_conformance.servers import server_missing
from remote_store_s3 import S3Backend

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

#: Fast retries for tests that provoke transient failures.
FAST_RETRY = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05, jitter=0.0)


class RequestLog:
    """The requests moto's HTTP server answered, per bucket (path-style URLs).

    A WSGI middleware records each request as its status is set, before a byte of the
    answer goes out: a client that has its response sees its request here. It does not
    ride on the ``werkzeug`` logger, whose level any other test in the process may change.
    """

    def __init__(self, app: Any = None) -> None:
        self.app = app
        self.lines: list[str] = []
        self._guard = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
        if not target:
            query = environ.get("QUERY_STRING", "")
            target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        method = environ.get("REQUEST_METHOD", "")

        def recording_start_response(status: str, *args: Any) -> Any:
            with self._guard:
                self.lines.append(f'"{method} {target} HTTP/1.1" {status.split()[0]}')
            return start_response(status, *args)

        return self.app(environ, recording_start_response)

    def requests(self, bucket: str) -> list[str]:
        """The request lines (``"GET /bucket/key?... HTTP/1.1" 200``) that touched ``bucket``."""
        marker = f" /{bucket}"
        with self._guard:
            return [line for line in self.lines if marker in line]


class RecordingMotoServer:
    """moto's S3 app served by werkzeug in a thread, behind a :class:`RequestLog`."""

    def __init__(self) -> None:
        make_puts_atomic()  # S3 decides a conditional PUT atomically; moto must too
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any) -> None:
                """The :class:`RequestLog` keeps the record; stderr stays quiet."""

        self.log = RequestLog(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            "127.0.0.1", 0, self.log, threaded=True, request_handler=QuietHandler
        )
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> RecordingMotoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(10)


@dataclass
class Moto:
    url: str
    port: int
    log: RequestLog
    buckets: list[str] = field(default_factory=list)

    def client(self, config: Any = None) -> Any:
        """A plain boto3 S3 client on this server (``config``: a botocore ``Config``)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
            config=config,
        )

    def new_bucket(self) -> str:
        """A fresh, empty bucket."""
        name = f"t-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name

    def backend(self, bucket: str | None = None, **options: Any) -> S3Backend:
        """A backend on ``bucket`` (a fresh one by default)."""
        return S3Backend(
            bucket=bucket or self.new_bucket(),
            endpoint_url=self.url,
            key="x",
            secret="y",
            **options,
        )


@pytest.fixture(scope="session")
def moto() -> Iterator[Moto]:
    """moto's S3 server in a thread on 127.0.0.1, started once per session."""
    try:
        server = RecordingMotoServer()
    except ImportError as exc:  # pragma: no cover - depends on the environment
        server_missing(f"moto server is not installed ({exc})")
    except OSError as exc:  # pragma: no cover
        server_missing(f"moto server did not start: {exc}")
    with server:
        yield Moto(url=f"http://127.0.0.1:{server.port}", port=server.port, log=server.log)


@pytest.fixture(scope="session")
def moto_process() -> Iterator[Moto]:
    """moto's S3 server as a separate process: memory measured in the test process
    (tracemalloc, RSS) then sees the client only, never the server's copy of the data."""

    with server_process() as port:
        yield Moto(url=f"http://127.0.0.1:{port}", port=port, log=RequestLog())


@pytest.fixture
def bucket(moto: Moto) -> str:
    return moto.new_bucket()


@pytest.fixture
def backend(moto: Moto, bucket: str) -> Iterator[S3Backend]:
    with moto.backend(bucket, retry=FAST_RETRY) as result:
        yield result


@pytest.fixture
def store(backend: S3Backend) -> Store:
    return Store(backend, _owns=False)


@pytest.fixture
def proxy(moto: Moto) -> Iterator[FaultProxy]:
    with FaultProxy(moto.port) as result:
        yield result


class FaultProxy:
    """A TCP proxy in front of moto that can cut a connection mid-upload or mid-download,
    cut the response to a given request, or answer requests itself with ``503 Slow Down``.

    Each fault is armed for a number of connections (``times``) and then disarms itself: a
    connection opened while it was armed cuts only if it still is (parts sent at once on
    several connections see one cut, not one each).
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.cut_upload_after: int | None = None  # client->server bytes, then cut
        self.cut_download_after: int | None = None  # server->client bytes, then cut
        self.answer_503 = 0  # requests still to answer with 503
        self.times = 1
        # armed in place of the download cut once it has fired ``times`` times:
        # (cut_download_after, times), so a follow-up fault needs no racing re-arm
        self.then_cut_download: tuple[int, int] | None = None
        # the response to the next request whose head holds these bytes is cut before its
        # first byte (the server did the work, the client never hears of it); then
        # ``on_cut`` runs (in the proxy's thread)
        self.cut_response_to: bytes | None = None
        self.on_cut: Callable[[], None] | None = None
        self.faults = 0  # faults injected so far
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def _fire(self) -> None:
        self.faults += 1
        self.times -= 1
        if self.times <= 0:
            self.cut_upload_after = self.cut_download_after = None
            if self.then_cut_download is not None:
                self.cut_download_after, self.times = self.then_cut_download
                self.then_cut_download = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.answer_503 > 0:
            await self._slow_down(reader, writer)
            return
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        cut_up, cut_down = self.cut_upload_after, self.cut_download_after
        matched: list[bool] = []  # set when a request's head holds ``cut_response_to``
        await asyncio.gather(
            self._pump(reader, up_w, cut_up, writer, "cut_upload_after", matched),
            self._pump(up_r, writer, cut_down, up_w, "cut_download_after", matched),
        )

    async def _pump(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        cut_after: int | None,
        other: asyncio.StreamWriter,
        armed: str,
        matched: list[bool],
    ) -> None:
        sent = 0
        upstream = armed == "cut_upload_after"
        try:
            while data := await source.read(65536):
                pattern = self.cut_response_to
                if upstream and pattern is not None and pattern in data:
                    self.cut_response_to = None
                    matched.append(True)
                cut = not upstream and bool(matched)
                if cut or (
                    cut_after is not None
                    and sent + len(data) > cut_after
                    and getattr(self, armed) is not None
                ):
                    if not cut:
                        assert cut_after is not None
                        sink.write(data[: max(0, cut_after - sent)])
                        await sink.drain()
                    self._fire()
                    for stream in (sink, other):
                        transport = stream.transport
                        transport.abort()  # a hard cut, no FIN handshake
                    if cut and self.on_cut is not None:
                        self.on_cut()
                    return
                sink.write(data)
                await sink.drain()
                sent += len(data)
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                sink.close()

    async def _slow_down(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read one request (headers and body) and answer 503 SlowDown."""
        self.answer_503 -= 1
        self.faults += 1
        head = await reader.readuntil(b"\r\n\r\n")
        length, expect_continue = 0, False
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
            if name.strip().lower() == b"expect":
                expect_continue = True  # the client waits for "100 Continue": answer now
        if length and not expect_continue:
            await reader.readexactly(length)
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
            b"<Message>Please reduce your request rate.</Message></Error>"
        )
        writer.write(
            b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()
