"""The leak scan's own tests: a backend that shows its credential on a surface is caught
(repr, log records of an SDK logger, a pickle, an error message), a careful one is not."""

from __future__ import annotations

import io
import logging
import pathlib
import uuid
from typing import Any, BinaryIO

from remote_store import Secret, Store, register_backend
from remote_store.backend import reveal
from remote_store.backends import MemoryBackend
from remote_store_conformance.leakscan import LeakScan, scan_backend

TOKEN = "META-LEAK-TOKEN-8812b4c6"


class CarefulBackend(MemoryBackend):
    """A memory backend that takes a token and keeps it to itself."""

    def __init__(self, token: str | Secret | None = None) -> None:
        super().__init__()
        self.token = token

    def __getstate__(self) -> dict[str, Any]:
        return {**super().__getstate__(), "token": self.token}


class LeakyBackend(CarefulBackend):
    """Shows the token in its repr, in an SDK's log record and in its pickle."""

    def __repr__(self) -> str:
        return f"LeakyBackend(token={reveal(self.token)!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {**super().__getstate__(), "token": reveal(self.token)}

    def read(self, path: str) -> BinaryIO:
        logging.getLogger("leaky_sdk.http").debug(
            "GET %s Authorization: %s", path, reveal(self.token)
        )
        return super().read(path)


def _exercise(store: Store, scan: LeakScan, shape: str) -> None:
    scan.call(f"{shape}: write", lambda: store.write("a.txt", b"x", overwrite=True))
    scan.call(f"{shape}: read", lambda: store.read("a.txt").read())


def _scan(cls: type, tmp_path: pathlib.Path) -> list[str]:
    type_name = f"leak-meta-{uuid.uuid4().hex[:8]}"
    register_backend(type_name, cls)  # process-global: a name nobody else uses
    return scan_backend(type_name, {"token": TOKEN}, [TOKEN], _exercise, tmp_path)


def test_a_careful_backend_shows_no_leak(tmp_path: pathlib.Path) -> None:
    assert _scan(CarefulBackend, tmp_path) == []


def test_every_leaky_surface_is_reported(tmp_path: pathlib.Path) -> None:
    leaks = _scan(LeakyBackend, tmp_path)
    for shape in ("dict", "toml inline", "toml ${VAR}"):
        assert f"{shape}: backend repr: META..." in leaks
        assert f"{shape}: pickle store (result): META..." in leaks
    assert "logs: META..." in leaks


def test_pickled_bytes_are_scanned(tmp_path: pathlib.Path) -> None:
    scan = LeakScan([TOKEN])
    scan.see("pickle", b"\x80\x04" + TOKEN.encode() + b"\x94.")
    scan.see("clean", io.BytesIO(b"nothing").getvalue())
    assert scan.leaks() == ["pickle: META..."]
