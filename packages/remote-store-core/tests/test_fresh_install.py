"""``pip install packages/remote-store-core`` alone, into a fresh venv, runs the demo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CORE = REPO / "packages" / "remote-store-core"
DEMO = REPO / "examples" / "demo.py"


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_fresh_venv_install_of_the_core_runs_the_demo(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    python = env_dir / "bin" / "python"
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    if Path(uv).exists():
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env_dir)], check=True)
        install = [uv, "pip", "install", "-q", "--python", str(python), str(CORE)]
    else:  # pragma: no cover - slower fallback without uv
        venv.create(env_dir, with_pip=True)
        install = [str(python), "-m", "pip", "install", "-q", str(CORE)]
    subprocess.run(install, check=True, env=env, timeout=150)
    shown = subprocess.run(
        [str(python), "-c", "import remote_store, sys; print(remote_store.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert str(env_dir) in shown.stdout  # the installed copy, not the checkout
    demo = subprocess.run(
        [str(python), str(DEMO)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert demo.returncode == 0, demo.stderr
    assert "demo finished" in demo.stdout
    assert "capability refusal: glob" in demo.stdout
