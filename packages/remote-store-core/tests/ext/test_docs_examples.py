"""Every Python example on the extension docs pages runs as written."""

from __future__ import annotations

import contextlib
import contextvars
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[4] / "docs" / "extensions"
PAGES = [
    "../architecture",  # the order of the middleware layers
    "batch",
    "cache",
    "glob",
    "integrity",
    "observe",
    "partition",
    "streams",
    "transfer",
    "write",
]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _examples() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        text = (DOCS / f"{page}.md").read_text()
        blocks = _BLOCK.findall(text)
        assert blocks, f"{page}.md has no runnable example"
        found += [(page, index, code) for index, code in enumerate(blocks)]
    return found


@pytest.mark.parametrize(("page", "index", "code"), _examples(), ids=lambda v: str(v)[:12])
def test_example_runs(page: str, index: int, code: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        compiled = compile(code, f"{page}.md[{index}]", "exec")
        # a fresh context: an example's set_correlation_id must not leak into other tests
        namespace: dict[str, object] = {"__name__": f"docs_{page}"}
        contextvars.copy_context().run(exec, compiled, namespace)
    assert set(namespace) - {"__name__", "__builtins__"}, "the example ran no statement"
