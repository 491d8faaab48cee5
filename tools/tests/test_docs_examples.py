"""Every Python example in docs/ runs: the docs are kept true by the test run.

A block whose first line is ``# not runnable`` (a fragment or a signature) is skipped; every
other ```python block of a page runs, in order, in one fresh interpreter per page.
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
    return sorted(p for p in DOCS.rglob("*.md") if _runnable_blocks(p))


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
