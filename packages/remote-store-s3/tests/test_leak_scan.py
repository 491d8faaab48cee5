"""Leak scan (issue 21): S3 credentials never show on any surface.

Against the moto server these tests start, with botocore/aiobotocore/s3fs/urllib3 at DEBUG
(botocore prints the access key id inside the Authorization header at DEBUG); the config
is loaded as a dict, inline TOML and ``${VAR}`` TOML.
"""

from __future__ import annotations

import pathlib

from remote_store import Store
from remote_store_conformance.leakscan import LeakScan, scan_backend

from .conftest import Moto

ACCESS_KEY = "AKIALEAKSCAN77311234"
SECRET_KEY = "LEAK-S3-SECRET-9f3b1c2d4e5f6a7b8c9d0e1f"


def test_s3_credentials_never_leak(moto: Moto, tmp_path: pathlib.Path) -> None:
    options = {
        "bucket": moto.new_bucket(),
        "endpoint_url": moto.url,
        "key": ACCESS_KEY,
        "secret": SECRET_KEY,
        "region_name": "us-east-1",
    }

    def exercise(store: Store, scan: LeakScan, shape: str) -> None:
        scan.call(f"{shape}: write", lambda: store.write("leak/a.txt", b"x", overwrite=True))
        assert scan.call(f"{shape}: read", lambda: store.read_bytes("leak/a.txt")) == b"x"
        scan.call(f"{shape}: list", lambda: list(store.list_files("leak")))
        scan.call(f"{shape}: delete", lambda: store.delete("leak/a.txt"))
        # an error names the caller's path and the backend location, never a secret
        scan.call(f"{shape}: missing", lambda: store.read_bytes("./leak//missing.txt"))

    leaks = scan_backend("s3", options, [ACCESS_KEY, SECRET_KEY], exercise, tmp_path)
    assert leaks == []
