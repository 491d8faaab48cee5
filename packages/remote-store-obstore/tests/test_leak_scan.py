"""Leak scan (issue 21): credentials of s3-obstore and azure-obstore never show on any
surface.

Against the moto server and the Azurite these tests start: an S3 access key and secret;
an Azure account key, a SAS token and a connection string holding the account key; each
loaded as a dict, inline TOML and ``${VAR}`` TOML, every logger at DEBUG. obstore signs
and sends requests in Rust (no Python logger sees them), so the surfaces at risk are the
errors it raises (a request URL carries a SAS token) and the reprs and pickles of the
options remote-store keeps.
"""

from __future__ import annotations

import pathlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from remote_store import Store
from remote_store_conformance.leakscan import LeakScan, scan_backend

ACCESS_KEY = "AKIALEAKOBSTORE60417"
SECRET_KEY = "LEAK-OBSTORE-SECRET-2b7e9c4d1a6f3e8b5c0d"


def _exercise(store: Store, scan: LeakScan, shape: str) -> None:
    scan.call(f"{shape}: write", lambda: store.write("leak/a.txt", b"x", overwrite=True))
    assert scan.call(f"{shape}: read", lambda: store.read_bytes("leak/a.txt")) == b"x"
    scan.call(f"{shape}: list", lambda: list(store.list_files("leak")))
    scan.call(f"{shape}: info", lambda: store.get_file_info("leak/a.txt"))
    scan.call(f"{shape}: copy", lambda: store.copy("leak/a.txt", "leak/b.txt", overwrite=True))
    scan.call(f"{shape}: refused copy", lambda: store.copy("leak/a.txt", "leak/b.txt"))
    scan.call(f"{shape}: missing info", lambda: store.get_file_info("leak/absent.txt"))
    scan.call(f"{shape}: delete", lambda: store.delete_folder("leak", recursive=True))


def test_s3_obstore_credentials_never_leak(moto: Any, tmp_path: pathlib.Path) -> None:
    options = {
        "bucket": moto.new_bucket(),
        "endpoint_url": moto.url,
        "key": ACCESS_KEY,
        "secret": SECRET_KEY,
        "region_name": "us-east-1",
    }
    secrets = [ACCESS_KEY, SECRET_KEY]
    assert scan_backend("s3-obstore", options, secrets, _exercise, tmp_path) == []


def _sas() -> str:
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas
    from remote_store_azure.emulator import ACCOUNT, ACCOUNT_KEY

    return generate_account_sas(
        ACCOUNT,
        ACCOUNT_KEY,
        resource_types=ResourceTypes(service=True, container=True, object=True),
        permission=AccountSasPermissions(read=True, write=True, delete=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )


@pytest.mark.parametrize("shape", ["account_key", "sas_token", "connection_string"])
def test_azure_obstore_credentials_never_leak(
    azurite: Any, tmp_path: pathlib.Path, shape: str
) -> None:
    from remote_store_azure.emulator import ACCOUNT, ACCOUNT_KEY

    options: dict[str, Any] = {"container": azurite.new_container()}
    if shape == "account_key":
        options |= {"account_url": azurite.account_url, "account_key": ACCOUNT_KEY}
        secrets = [ACCOUNT_KEY]
    elif shape == "sas_token":
        sas = _sas()
        options |= {"account_url": azurite.account_url, "account_name": ACCOUNT, "sas_token": sas}
        raw = next(part[4:] for part in sas.split("&") if part.startswith("sig="))
        secrets = [parse_qs(sas)["sig"][0], raw]  # decoded and as written in a URL
    else:
        options |= {"connection_string": azurite.connection_string}
        secrets = [ACCOUNT_KEY]
    assert scan_backend("azure-obstore", options, secrets, _exercise, tmp_path) == []
