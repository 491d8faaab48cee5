"""Every Python example in docs/ runs: the docs are kept true by the test run.

A block whose first line starts with ``# not runnable`` (a fragment) is skipped; every other
```python block of a page runs, in order, in one fresh interpreter per page. A page whose
examples need a server or files is marked ``<!-- examples-tested-by: PATH -->`` and the test at
PATH runs them; that test must exist.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _pages() -> list[Path]:
    """Pages with runnable blocks, except those whose examples a package test runs (it
    provides the server or files they need: ``<!-- examples-tested-by: PATH -->``)."""
    return sorted(
        p
        for p in DOCS.rglob("*.md")
        if _runnable_blocks(p) and "<!-- examples-tested-by:" not in p.read_text()
    )


def _runnable_blocks(page: Path) -> list[str]:
    blocks = _BLOCK.findall(page.read_text())
    return [b for b in blocks if not b.lstrip().startswith("# not runnable")]


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_docs_page_examples_run(page: Path, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text("\n\n".join(_runnable_blocks(page)))
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, f"{page}:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"


def test_pages_marked_as_tested_elsewhere_name_an_existing_test() -> None:
    marker = re.compile(r"<!-- examples-tested-by: (\S+)")
    for page in DOCS.rglob("*.md"):
        for target in marker.findall(page.read_text()):
            assert (DOCS.parent / target).is_file(), f"{page}: {target} does not exist"
