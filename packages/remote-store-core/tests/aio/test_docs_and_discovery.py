"""The docs' async examples run; the async memory backend is found through its entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from remote_store._discovery import ASYNC_BACKEND_GROUP, load_backend_class
from remote_store.aio import AsyncMemoryBackend

DOCS = Path(__file__).resolve().parents[4] / "docs"


def test_async_memory_backend_is_registered() -> None:
    assert load_backend_class("memory", ASYNC_BACKEND_GROUP) is AsyncMemoryBackend


@pytest.mark.parametrize(
    ("page", "heading", "printed"),
    [
        ("async.md", "## Example\n", ("line 2", "logs/a.txt 21")),
        ("async.md", "## From a config", ("AsyncObservedStore AsyncCachedStore 1",)),
        ("configuration.md", "### Async stores", ("AsyncCachedStore ['q1.csv']",)),
    ],
)
def test_the_docs_async_examples_run(page: str, heading: str, printed: tuple[str, ...]) -> None:
    """The first code block after ``heading`` on ``page`` runs in a fresh interpreter."""
    text = (DOCS / page).read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert example is not None
    done = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for line in printed:
        assert line in done.stdout
