"""Leak scan (issue 21): the credentials of an http backend never show on any surface.

Against the nginx these tests start: URL userinfo, an Authorization header and a token in
the base URL's query, loaded as a dict, inline TOML and ``${VAR}`` TOML; every logger
(urllib3/httpx included) at DEBUG.
"""

from __future__ import annotations

import pathlib

from remote_store import Store
from remote_store_conformance.leakscan import LeakScan, scan_backend

from .conftest import Nginx

USER_PASSWORD = "LEAK-HTTP-PW-7731"
HEADER_TOKEN = "LEAK-HTTP-BEARER-5520"


def test_http_credentials_never_leak(nginx: Nginx, tmp_path: pathlib.Path) -> None:
    base = nginx.publish({"leak/file.txt": b"hello"})
    scheme, rest = base.split("://", 1)
    options = {
        "base_url": f"{scheme}://reader:{USER_PASSWORD}@{rest}",
        "headers": {"Authorization": f"Bearer {HEADER_TOKEN}"},
        "timeout": 5.0,
    }

    def exercise(store: Store, scan: LeakScan, shape: str) -> None:
        assert scan.call(f"{shape}: read", lambda: store.read_bytes("leak/file.txt")) == b"hello"
        scan.call(f"{shape}: info", lambda: store.get_file_info("leak/file.txt"))
        scan.call(f"{shape}: missing", lambda: store.read_bytes("./leak//missing.txt"))
        native = store.native_path("leak/file.txt")
        assert native.endswith("/leak/file.txt") and "reader" not in native

    leaks = scan_backend("http", options, [USER_PASSWORD, HEADER_TOKEN], exercise, tmp_path)
    assert leaks == []
