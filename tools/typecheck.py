"""Type-check every distribution of this repository, its sources *and* its tests (mypy strict).

    python tools/typecheck.py                     # every distribution (what ``./dev types`` runs)
    python tools/typecheck.py remote-store-s3 ... # some of them (a name or a folder)
    python tools/typecheck.py --cache-dir=/tmp/c  # options (``--opt=value``) go to mypy, as does
                                                  # anything after ``--``

One mypy process per distribution, because every distribution's tests folder is a
``tests`` namespace package (pytest imports them with ``--import-mode=importlib``; some use
``from .conftest import ...``): checked together their ``conftest`` modules would collide.
For each one mypy gets ``<dist>/src`` and ``<dist>/tests`` with ``<dist>/src`` and ``<dist>``
as module bases, so the sources are ``remote_store_x...`` and the tests ``tests...``. The other
distributions are found installed (editable) in the environment. The settings are the
repository's ``[tool.mypy]`` (pyproject.toml); the runs share one incremental cache.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Folders some tests import modules from by bare name (their conftest puts them on sys.path).
EXTRA_BASES: dict[str, tuple[str, ...]] = {
    "packages/remote-store-core": ("tests/aio",),
}

# Distributions whose tests are not type-checked yet (their sources are): none.
TESTS_NOT_YET_CHECKED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Unit:
    """One mypy run: a distribution's folder, the paths to check and the module bases."""

    name: str
    folder: str
    targets: tuple[str, ...]
    bases: tuple[str, ...]
    excludes: tuple[str, ...] = field(default=())


def distributions() -> list[Unit]:
    """Every distribution in the repository (the core first: it warms the cache), then tools."""
    folders = sorted(
        p.parent.relative_to(ROOT).as_posix()
        for pattern in (
            "packages/*/pyproject.toml",
            "conformance/pyproject.toml",
            "conformance/examples/*/pyproject.toml",
        )
        for p in ROOT.glob(pattern)
    )
    folders.sort(key=lambda f: f != "packages/remote-store-core")
    units = []
    for folder in folders:
        targets = [f"{folder}/src"]
        if (ROOT / folder / "tests").is_dir() and folder not in TESTS_NOT_YET_CHECKED:
            targets.append(f"{folder}/tests")
        bases = (f"{folder}/src", folder, *(f"{folder}/{b}" for b in EXTRA_BASES.get(folder, ())))
        units.append(Unit(Path(folder).name, folder, tuple(targets), bases))
    # The example scripts and the benchmarks (run as scripts: their folder is the module base;
    # the benchmark runner's virtual environments are not ours to check).
    units.append(
        Unit(
            "examples+benchmarks",
            "benchmarks",
            ("examples", "benchmarks"),
            ("examples", "benchmarks"),
            ("^benchmarks/\\.venvs/",),
        )
    )
    # The repository's own tools and their tests (the broken plugin there is a test fixture:
    # its code is broken on purpose and only ever installed into a throwaway environment).
    tools = tuple(sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tools").glob("*.py")))
    units.append(
        Unit(
            "tools", "tools", (*tools, "tools/tests"), ("tools",), ("^tools/tests/broken-plugin/",)
        )
    )
    return units


def select(units: list[Unit], wanted: list[str]) -> list[Unit]:
    """The units named (by distribution name or folder); all of them when none is named."""
    if not wanted:
        return units
    by_key = {key: u for u in units for key in (u.name, u.folder)}
    unknown = [w for w in wanted if w.rstrip("/") not in by_key]
    if unknown:
        raise SystemExit(f"unknown distribution(s): {', '.join(unknown)}")
    return [by_key[w.rstrip("/")] for w in wanted]


def check(unit: Unit, mypy_args: list[str]) -> tuple[int, float]:
    """Run mypy on one unit; its exit code and duration in seconds."""
    env = dict(os.environ, MYPYPATH=os.pathsep.join(unit.bases))
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        *(f"--exclude={e}" for e in unit.excludes),
        *unit.targets,
        *mypy_args,
    ]
    start = time.monotonic()
    print(f"== {unit.folder}: mypy {' '.join(unit.targets)}", flush=True)
    code = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    return code, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    """Check the selected distributions; non-zero when any has a type error."""
    parser = argparse.ArgumentParser(description="Type-check distributions (sources and tests).")
    parser.add_argument("dists", nargs="*", help="distribution names or folders (default: all)")
    argv = sys.argv[1:] if argv is None else argv
    cut = argv.index("--") if "--" in argv else len(argv)
    args, options = parser.parse_known_args(argv[:cut])
    mypy_args = options + argv[cut + 1 :]
    failed = []
    total = time.monotonic()
    for unit in select(distributions(), args.dists):
        code, seconds = check(unit, mypy_args)
        print(f"   {seconds:.1f}s", flush=True)
        if code:
            failed.append(unit.folder)
    if TESTS_NOT_YET_CHECKED:
        print(f"tests not type-checked yet: {', '.join(sorted(TESTS_NOT_YET_CHECKED))}")
    print(
        f"typecheck: {time.monotonic() - total:.0f}s; "
        + (f"FAILED: {', '.join(failed)}" if failed else "every distribution is clean")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
