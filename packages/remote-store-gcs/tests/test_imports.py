"""Importing the plugin stays cheap, and it is found as type ``gcs`` through its entry point."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("google", "requests", "urllib3", "grpc")


def test_importing_the_plugin_loads_no_sdk_module() -> None:
    code = (
        "import sys, remote_store_gcs\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_the_entry_point_resolves_type_gcs() -> None:
    from remote_store import Registry, RegistryConfig
    from remote_store_gcs import GCSBackend

    config = RegistryConfig.from_dict(
        {
            "backends": {"g": {"type": "gcs", "options": {"bucket": "b", "anonymous": True}}},
            "stores": {"s": {"backend": "g"}},
        }
    )
    with Registry(config) as registry:
        assert isinstance(registry.store("s").backend, GCSBackend)
