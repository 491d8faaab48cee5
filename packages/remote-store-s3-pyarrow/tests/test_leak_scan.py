"""Leak scan (issue 21): S3 credentials never show on any surface of s3-pyarrow.

Against the moto server these tests start, through both read paths (pyarrow's
``S3FileSystem`` for ``read``/``read_seekable``, the s3 backend for the rest), with every
logger at DEBUG; the config is loaded as a dict, inline TOML and ``${VAR}`` TOML, and a
session token is given too (it travels in a header of every request).
"""

from __future__ import annotations

import pathlib
from typing import Any

from remote_store import Store
from remote_store_conformance.leakscan import LeakScan, scan_backend

ACCESS_KEY = "AKIALEAKARROW5510923"
SECRET_KEY = "LEAK-ARROW-SECRET-7c1d2e3f4a5b6c7d8e9f0a1b"


def _exercise(store: Store, scan: LeakScan, shape: str) -> None:
    scan.call(f"{shape}: write", lambda: store.write("leak/a.txt", b"arrow", overwrite=True))
    assert scan.call(f"{shape}: read_bytes", lambda: store.read_bytes("leak/a.txt")) == b"arrow"

    def arrow_read() -> bytes:
        with store.read("leak/a.txt") as stream:  # pyarrow's input file
            return stream.read()

    def arrow_seek() -> bytes:
        with store.read_seekable("leak/a.txt") as stream:
            stream.seek(2)
            return stream.read()

    assert scan.call(f"{shape}: arrow read", arrow_read) == b"arrow"
    assert scan.call(f"{shape}: arrow seek", arrow_seek) == b"row"
    scan.call(f"{shape}: arrow missing", lambda: store.read("leak/absent.bin").read())
    scan.call(f"{shape}: list", lambda: list(store.list_files("leak")))
    scan.call(f"{shape}: info", lambda: store.get_file_info("leak/a.txt"))
    scan.call(f"{shape}: delete", lambda: store.delete("leak/a.txt"))


def test_s3_pyarrow_credentials_never_leak(moto_process: Any, tmp_path: pathlib.Path) -> None:
    options = {
        "bucket": moto_process.new_bucket(),
        "endpoint_url": moto_process.url,
        "key": ACCESS_KEY,
        "secret": SECRET_KEY,
        "region_name": "us-east-1",
    }
    secrets = [ACCESS_KEY, SECRET_KEY]
    assert scan_backend("s3-pyarrow", options, secrets, _exercise, tmp_path) == []
