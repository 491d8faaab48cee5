"""Importing the plugin stays cheap: the SDK stack loads on the first connection only."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("botocore", "aiobotocore", "s3fs", "aiohttp", "dateutil")
# standard-library modules the plugin needs only once a request is made
LATER = ("asyncio", "ssl", "socket", "concurrent", "email", "hashlib", "base64", "subprocess")


def test_importing_the_plugin_loads_no_sdk_module() -> None:
    code = (
        "import sys, remote_store_s3\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_importing_the_plugin_loads_no_event_loop_machinery() -> None:
    code = (
        "import sys, remote_store_s3\n"
        f"later = {LATER!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in later))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout
