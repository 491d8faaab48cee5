"""``pytest --rs-conformance=http`` certifies the read-only backend against nginx; the
read rules get their files from a seeding callable named on the command line."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from remote_store_conformance.oneshot import QUICK, certify_from_command_line, describe

#: A whole certification run in a subprocess: longer than a unit test.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]

SEEDER = '''
"""Publish the kit's files into a fresh folder of nginx's document root."""
import uuid
from pathlib import Path

from remote_store_http import ReadOnlyHttpBackend

DOCROOT = Path({docroot!r})
URL = {url!r}



def seeded(files):
    folder = uuid.uuid4().hex
    for key, data in files.items():
        target = DOCROOT / folder / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (DOCROOT / folder).mkdir(exist_ok=True)
    return ReadOnlyHttpBackend(f"{{URL}}{{folder}}/")
'''


def test_one_command_certifies_http(nginx: Any, tmp_path: Path) -> None:
    source = SEEDER.format(docroot=str(nginx.docroot), url=nginx.url)
    (tmp_path / "kit_http_seed.py").write_text(textwrap.dedent(source))
    run = certify_from_command_line(
        "http",
        {"base_url": nginx.publish({})},
        tmp_path,
        *QUICK,
        "--rs-seeded-factory=kit_http_seed:seeded",
    )
    assert run.certified, describe(run)
