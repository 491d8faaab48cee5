"""docs/writing-a-backend.md is true: its backend, saved into an empty folder with its
test file, is certified by the kit, and its usage example runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "writing-a-backend.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_the_tutorial_backend_is_certified_from_an_empty_folder(tmp_path: Path) -> None:
    backend, usage, test_module = _BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    (tmp_path / "flatdir.py").write_text(backend)
    (tmp_path / "test_flatdir.py").write_text(test_module)
    (tmp_path / "usage.py").write_text("from flatdir import FlatDirBackend\n" + usage)

    shown = subprocess.run(
        [sys.executable, "usage.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    assert "['feb.csv', 'jan.csv']" in shown.stdout
    assert "True True" in shown.stdout

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_flatdir.py",
         "--rs-certificate=cert.json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:]
    assert "flatdir (test_flatdir.py::TestFlatDir): CERTIFIED" in run.stdout
    certificate = json.loads((tmp_path / "cert.json").read_text())
    verdicts = certificate["capabilities"]
    for declared in ("read", "write", "delete", "list", "glob", "atomic_write", "metadata"):
        assert verdicts[declared] == "pass", (declared, verdicts)
    assert verdicts["exclusive_create"] == "pass"
    assert verdicts["move"] == "refused-as-undeclared"


def test_the_tutorial_imports_only_the_public_sdk() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert "from remote_store.backend import (" in text
    assert not re.search(r"from remote_store(\.\w+)*\._", text)
