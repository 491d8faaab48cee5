"""The docs' example runs; the async memory backend is found through its entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from remote_store._discovery import ASYNC_BACKEND_GROUP, load_backend_class
from remote_store.aio import AsyncMemoryBackend

DOCS = Path(__file__).resolve().parents[4] / "docs" / "async.md"


def test_async_memory_backend_is_registered() -> None:
    assert load_backend_class("memory", ASYNC_BACKEND_GROUP) is AsyncMemoryBackend


def test_the_docs_example_runs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = re.search(r"## Example\n\n```python\n(.*?)```", text, re.DOTALL)
    assert example is not None
    done = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "line 2" in done.stdout
    assert "logs/a.txt 21" in done.stdout
