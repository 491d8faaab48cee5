"""Fixtures: nginx serving a temporary folder on a free loopback port."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from remote_store_conformance.servers import (
    ServerProcess,
    free_port,
    require_executable,
    server_missing,
    wait_for_port,
)
from remote_store_http import ReadOnlyHttpBackend

_CONFIG = """
daemon off;
master_process on;
worker_processes 1;
user root;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 128; }}
http {{
    default_type application/octet-stream;
    types {{ text/plain txt; text/csv csv; application/json json; }}
    log_format counted '$request_method $uri $status $body_bytes_sent';
    access_log {root}/access.log counted;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {docroot};
        location /protected/ {{ return 401; }}
    }}
}}
"""


@dataclass
class Nginx:
    """A running nginx: its base URL, document root and access log."""

    url: str
    docroot: Path
    access_log: Path

    def publish(self, files: Mapping[str, bytes]) -> str:
        """Put ``files`` in a fresh folder; return the folder's URL."""
        folder = uuid.uuid4().hex
        for key, data in files.items():
            target = self.docroot / folder / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (self.docroot / folder).mkdir(exist_ok=True)
        return f"{self.url}{folder}/"

    def log_lines(self) -> list[str]:
        """The access log so far (nginx writes each line when the request ends)."""
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []


@pytest.fixture(scope="session")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    binary = require_executable("nginx", "/usr/sbin/nginx")
    root = tmp_path_factory.mktemp("nginx")
    docroot = root / "www"
    docroot.mkdir()
    (root / "tmp").mkdir()
    port = free_port()
    config = root / "nginx.conf"
    config.write_text(_CONFIG.format(root=root, docroot=docroot, port=port))
    server = ServerProcess([binary, "-c", str(config), "-p", str(root)])
    try:
        wait_for_port(port, timeout=10)
    except TimeoutError:
        server.stop()
        log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
        server_missing(f"nginx did not start: {log[-500:]}")
    with server.running():
        yield Nginx(f"http://127.0.0.1:{port}/", docroot, root / "access.log")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def published(nginx: Nginx) -> Iterator[Callable[..., ReadOnlyHttpBackend]]:
    """Publish files and return a backend over them."""
    made: list[ReadOnlyHttpBackend] = []

    def publish(files: Mapping[str, bytes], **options: object) -> ReadOnlyHttpBackend:
        backend = ReadOnlyHttpBackend(nginx.publish(files), **options)  # type: ignore[arg-type]
        made.append(backend)
        return backend

    yield publish
    for backend in made:
        backend.close()
