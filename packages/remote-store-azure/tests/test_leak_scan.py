"""Leak scan (issue 21): an Azure SAS token inside ``account_url`` and an account key
never show on any surface.

Against the Azurite these tests start: a container SAS generated with the emulator's key
and given as the query of ``account_url`` (the documented Azure SDK form), and in a second
round the account key itself; loaded as a dict, inline TOML and ``${VAR}`` TOML; the
``azure`` loggers (HTTP logging policy included) and every other logger at DEBUG.
"""

from __future__ import annotations

import pathlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from remote_store import Store
from remote_store_azure.emulator import ACCOUNT, ACCOUNT_KEY
from remote_store_conformance.leakscan import LeakScan, scan_backend

from .conftest import Emulator


def _exercise(store: Store, scan: LeakScan, shape: str) -> None:
    scan.call(f"{shape}: write", lambda: store.write("leak/a.txt", b"x", overwrite=True))
    assert scan.call(f"{shape}: read", lambda: store.read_bytes("leak/a.txt")) == b"x"
    scan.call(f"{shape}: list", lambda: list(store.list_files("leak")))
    scan.call(f"{shape}: delete", lambda: store.delete("leak/a.txt"))
    # an error names the caller's path and the backend location, never a secret
    scan.call(f"{shape}: missing", lambda: store.read_bytes("./leak//missing.txt"))


def test_sas_in_account_url_never_leaks(azurite: Emulator, tmp_path: pathlib.Path) -> None:
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    sas = generate_account_sas(
        ACCOUNT,
        ACCOUNT_KEY,
        resource_types=ResourceTypes(service=True, container=True, object=True),
        permission=AccountSasPermissions(read=True, write=True, delete=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )
    signature = parse_qs(sas)["sig"][0]
    options = {"container": azurite.new_container(), "account_url": f"{azurite.account_url}?{sas}"}
    leaks = scan_backend("azure", options, [signature], _exercise, tmp_path)
    assert leaks == []


def test_account_key_never_leaks(azurite: Emulator, tmp_path: pathlib.Path) -> None:
    options = {
        "container": azurite.new_container(),
        "account_url": azurite.account_url,
        "account_name": ACCOUNT,
        "account_key": ACCOUNT_KEY,
    }
    assert scan_backend("azure", options, [ACCOUNT_KEY], _exercise, tmp_path) == []
