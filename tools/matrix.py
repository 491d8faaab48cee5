"""The isolation matrix: every distribution built, installed alone, tested alone.

For one distribution: build the wheels of this repository (hatchling, through ``uv build``),
create a fresh virtual environment, install the distribution's wheel with its ``test``
extra and, for its dependencies that live in this repository, *their built wheels* (never
the package index, which holds an unrelated ``remote-store`` lineage), then run the
distribution's own tests against the installed wheel (not the source tree).

    python tools/matrix.py build              # wheels + sdists of every distribution into dist/
    python tools/matrix.py check              # metadata and README rendering (twine check)
    python tools/matrix.py test NAME|PATH...  # isolate and test some distributions
    python tools/matrix.py all                # build, check, test every one; report all
    python tools/matrix.py tox-ini            # regenerate tox.ini's env list from the repo
    python tools/matrix.py workflows          # regenerate .github/workflows/pkg-*.yml

``RS_MATRIX_MARKERS`` (a pytest ``-m`` expression) narrows every distribution's run: CI sets
``not slow``, because the slow tests (memory, crash, race, whole-kit certification runs) have
already run against the same source in the main test run; isolation is about what installs
and imports alone, which the quick tests show. ``RS_MATRIX_KIT_RULES=own`` (CI sets it too)
also leaves the conformance kit's rules out of every distribution but the kit's own and its
example plugins: a backend's certification against its server ran in the main run on the
same source, while the kit still runs its rules (over memory, local and the example) from
its wheel.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
ENVS = ROOT / ".matrix"
OWN_PREFIX = "remote-store"


@dataclass(frozen=True)
class Distribution:
    """One distribution of this repository."""

    name: str
    path: Path

    @property
    def wheel_stem(self) -> str:
        return self.name.replace("-", "_")

    def requirements(self, extra: str | None = None) -> list[str]:
        project = tomllib.loads((self.path / "pyproject.toml").read_text())["project"]
        deps = list(project.get("dependencies", []))
        if extra:
            deps += project.get("optional-dependencies", {}).get(extra, [])
        return deps


def discover(extra_roots: list[Path] | None = None) -> dict[str, Distribution]:
    """Every distribution: packages/*, conformance, conformance/examples/*."""
    candidates = [*sorted((ROOT / "packages").glob("*")), ROOT / "conformance"]
    candidates += sorted((ROOT / "conformance" / "examples").glob("*"))
    candidates += extra_roots or []
    found = {}
    for path in candidates:
        pyproject = path / "pyproject.toml"
        if pyproject.is_file():
            name = tomllib.loads(pyproject.read_text())["project"]["name"]
            found[name] = Distribution(name, path)
    return found


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9._-]+)", requirement)
    return match.group(1).lower().replace("_", "-") if match else ""


def own_closure(dist: Distribution, known: dict[str, Distribution]) -> list[Distribution]:
    """``dist`` and every distribution of this repo it needs (with test extras), in order."""
    order: list[Distribution] = []

    def visit(item: Distribution, extra: str | None) -> None:
        if item in order:
            return
        order.append(item)
        for requirement in item.requirements(extra):
            name = _requirement_name(requirement)
            if name.startswith(OWN_PREFIX):
                if name not in known:
                    raise SystemExit(f"{item.name} needs {name}, which this repository lacks")
                visit(known[name], None)

    visit(dist, "test")
    return order


def run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run(cmd, check=True, text=True, cwd=cwd)


def uv() -> str:
    found = shutil.which("uv")
    if not found:
        raise SystemExit("uv is needed (pip install uv)")
    return found


def build(dists: list[Distribution]) -> None:
    """Wheel and sdist of each distribution into dist/."""
    DIST.mkdir(exist_ok=True)
    for dist in dists:
        for old in DIST.glob(f"{dist.wheel_stem}-*"):
            old.unlink()
        run(
            [uv(), "build", "--quiet", "--sdist", "--wheel", "--out-dir", str(DIST), str(dist.path)]
        )


def wheel_of(dist: Distribution) -> Path:
    wheels = sorted(DIST.glob(f"{dist.wheel_stem}-*.whl"))
    if not wheels:
        raise SystemExit(f"no wheel for {dist.name} in {DIST}: run build first")
    return wheels[-1]


def check(dists: list[Distribution]) -> None:
    """twine check every artifact (metadata, README rendering)."""
    artifacts = [str(p) for d in dists for p in DIST.glob(f"{d.wheel_stem}-*")]
    run([uv(), "tool", "run", "--quiet", "twine", "check", "--strict", *artifacts])


def test(dist: Distribution, known: dict[str, Distribution], pytest_args: list[str]) -> None:
    """Fresh environment, the wheels only, the distribution's own tests."""
    env = ENVS / dist.name
    if env.exists():
        shutil.rmtree(env)
    venv.create(env, with_pip=False)
    python = str(env / "bin" / "python")
    closure = own_closure(dist, known)
    missing = [d for d in closure if not any(DIST.glob(f"{d.wheel_stem}-*.whl"))]
    if missing:
        build(missing)
    requirements = [f"{wheel_of(dist)}[test]"] + [str(wheel_of(d)) for d in closure[1:]]
    requirements.append("pytest-timeout>=2.3")  # a hang fails the run instead of stalling it
    run([uv(), "pip", "install", "--quiet", "--python", python, *requirements])
    verify_provenance(python, closure)
    tests = dist.path / "tests"
    if not tests.is_dir():
        raise SystemExit(f"{dist.name} has no tests/ folder")
    workdir = ENVS / f"{dist.name}-run"
    workdir.mkdir(exist_ok=True)
    selection = pytest_selection(
        dist,
        os.environ.get("RS_MATRIX_MARKERS", ""),
        os.environ.get("RS_MATRIX_KIT_RULES", ""),
        closure,
    )
    run(
        [
            python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--import-mode=importlib",
            "--rootdir",
            str(dist.path),
            "-c",
            str(ROOT / "tools" / "matrix-pytest.ini"),
            str(tests),
            *selection,
            *pytest_args,
        ],
        cwd=workdir,
    )


#: The conformance kit's markers (``remote_store_conformance._markers``) and its folder,
#: which holds the kit's distribution and its example plugins.
KIT_RULE_MARKERS = ("rs_rule", "rs_refusal")
KIT_ROOT = ROOT / "conformance"


def pytest_selection(
    dist: Distribution, markers: str, kit_rules: str, closure: list[Distribution]
) -> list[str]:
    """The ``-m`` arguments for ``dist``: ``markers``, and with ``kit_rules == "own"`` no
    kit rule outside the kit's folder. ``closure``: what is installed with ``dist``'s tests
    (:func:`own_closure`); without the kit there, pytest does not know the kit's markers
    and there is no rule to leave out."""
    if kit_rules not in ("", "all", "own"):
        raise SystemExit(f"RS_MATRIX_KIT_RULES must be 'all' or 'own', not {kit_rules!r}")
    clauses = [f"({markers})"] if markers else []
    in_kit = dist.path == KIT_ROOT or KIT_ROOT in dist.path.parents
    uses_kit = any(d.path == KIT_ROOT for d in closure)
    if kit_rules == "own" and uses_kit and not in_kit:
        clauses += [f"not {mark}" for mark in KIT_RULE_MARKERS]
    return ["-m", " and ".join(clauses)] if clauses else []


def verify_provenance(python: str, closure: list[Distribution]) -> None:
    """Every installed remote-store* distribution must be one of our built wheels."""
    probe = (
        "import json, importlib.metadata as m\n"
        "out = {}\n"
        "for d in m.distributions():\n"
        "    n = (d.metadata['Name'] or '').lower()\n"
        f"    if n.startswith({OWN_PREFIX!r}):\n"
        "        out[n] = d.read_text('direct_url.json')\n"
        "print(json.dumps(out))\n"
    )
    installed = json.loads(
        subprocess.run([python, "-c", probe], check=True, text=True, capture_output=True).stdout
    )
    expected = {d.name for d in closure}
    for name, direct_url in installed.items():
        if name not in expected:
            raise SystemExit(f"unexpected distribution {name} installed (from the index?)")
        if not direct_url or str(DIST) not in direct_url:
            raise SystemExit(f"{name} was not installed from this repository's wheels")


def env_name(dist: Distribution) -> str:
    """The tox env of a distribution: its name without the ``remote-store-`` prefix."""
    if dist.name == "remote-store":
        return "meta"
    return dist.name.removeprefix("remote-store-")


TOX_HEADER = """\
# The isolation matrix, beside the hatch workspace: each distribution is built, installed
# alone from its wheel (with only its declared dependencies; this repo's own ones from their
# built wheels, never the index) into a fresh environment, and tested alone.
#   tox -e build            build wheels + sdists, twine check
#   tox -e core,s3          isolate and test some distributions (after build)
#   tox run-parallel -p 2   everything (what ./dev matrix and CI run)
# Generated by `python tools/matrix.py tox-ini`; the real work is in tools/matrix.py.
"""


def tox_ini(known: dict[str, Distribution]) -> str:
    """tox.ini with one env per distribution of this repository."""
    envs = {env_name(d): d for d in known.values()}
    lines = [TOX_HEADER, "[tox]", "requires =", "    tox>=4.20", "    tox-uv>=1.11"]
    lines += [
        f"env_list = build, {', '.join(sorted(envs))}",
        "skip_missing_interpreters = false",
        "",
    ]
    lines += [
        "[testenv]",
        "skip_install = true",
        "deps = uv>=0.5",
        "pass_env = CI, HOME, TMPDIR, RS_MATRIX_MARKERS, RS_MATRIX_KIT_RULES",
        "depends = build",
        'commands = python tools/matrix.py test {env:RS_DIST} "--pytest-args={posargs}"',
        "",
        "[testenv:build]",
        "depends =",
        "commands =",
        "    python tools/matrix.py build",
        "    python tools/matrix.py check",
    ]
    for name in sorted(envs):
        target = envs[name].path.relative_to(ROOT)
        lines += ["", f"[testenv:{name}]", f"set_env = RS_DIST = {target}"]
    return "\n".join(lines) + "\n"


_DATABASE_SERVICES = """\
    services:
      postgres:
        image: postgres:15
        env: {POSTGRES_HOST_AUTH_METHOD: trust, POSTGRES_DB: test}
        ports: ["5432:5432"]
      mariadb:
        image: mariadb:10.11
        env: {MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: "1", MARIADB_DATABASE: test}
        ports: ["3306:3306"]
"""


def workflows(known: dict[str, Distribution]) -> dict[str, str]:
    """One GitHub workflow per distribution: the isolation matrix entry for it, run when
    the distribution or anything of this repo it depends on changes (path filters)."""
    result = {}
    for dist in sorted(known.values(), key=lambda d: d.name):
        env = env_name(dist)
        folders = sorted({str(d.path.relative_to(ROOT)) for d in own_closure(dist, known)})
        paths = [f"{folder}/**" for folder in folders]
        paths += ["tools/matrix.py", "tox.ini", ".ci/**", f".github/workflows/pkg-{env}.yml"]
        path_lines = "".join(f"      - {p!r}\n" for p in paths)
        needs_db = any(
            d.name in ("remote-store-sql", "remote-store-sql-query")
            for d in own_closure(dist, known)
        )
        result[f"pkg-{env}.yml"] = (
            f"# Generated by `python tools/matrix.py workflows`: {dist.name} built, installed\n"
            f"# alone from its wheel and tested alone, when it or what it depends on changes.\n"
            f"name: pkg-{env}\n"
            "on:\n"
            "  push:\n"
            "    branches: [main]\n"
            f"    paths:\n{path_lines}"
            "  pull_request:\n"
            f"    paths:\n{path_lines}"
            "jobs:\n"
            "  isolated:\n"
            "    runs-on: ubuntu-latest\n"
            + (_DATABASE_SERVICES if needs_db else "")
            + "    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - uses: actions/setup-python@v5\n"
            "        with: {python-version: '3.11'}\n"
            "      - uses: actions/setup-node@v4\n"
            "        with: {node-version: '20'}\n"
            "      - run: sudo bash .ci/system-deps.sh\n"
            "        env: {CI: 'true'}\n"
            "      - run: python -m pip install uv tox tox-uv\n"
            f"      - run: tox -e build,{env}\n"
            "        env: {CI: 'true'}\n"
        )
    return result


def select(names: list[str], known: dict[str, Distribution]) -> list[Distribution]:
    chosen = []
    for name in names:
        if name in known:
            chosen.append(known[name])
            continue
        path = (ROOT / name).resolve() if not os.path.isabs(name) else Path(name)
        match = [d for d in known.values() if d.path.resolve() == path]
        if not match and (path / "pyproject.toml").is_file():
            extra = discover([path])
            match = [d for d in extra.values() if d.path.resolve() == path]
            known.update(extra)
        if not match:
            raise SystemExit(f"unknown distribution {name!r}")
        chosen.extend(match)
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command", choices=["build", "check", "test", "all", "tox-ini", "workflows"]
    )
    parser.add_argument("names", nargs="*")
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments (one string)")
    args = parser.parse_args(argv)
    known = discover()
    dists = select(args.names, known) if args.names else list(known.values())
    pytest_args = shlex.split(args.pytest_args)
    if args.command == "tox-ini":
        (ROOT / "tox.ini").write_text(tox_ini(known))
        return 0
    if args.command == "workflows":
        folder = ROOT / ".github" / "workflows"
        for stale in folder.glob("pkg-*.yml"):
            stale.unlink()
        for name, text in workflows(known).items():
            (folder / name).write_text(text)
        return 0
    if args.command == "build":
        build(dists)
        return 0
    if args.command == "check":
        check(dists)
        return 0
    if args.command == "test":
        for dist in dists:
            test(dist, known, pytest_args)
        return 0
    build(list(known.values()))
    check(list(known.values()))
    results: dict[str, tuple[str, float]] = {}
    for dist in dists:
        started = time.monotonic()
        try:
            test(dist, known, pytest_args)
            results[dist.name] = ("ok", time.monotonic() - started)
        except (subprocess.CalledProcessError, SystemExit) as exc:
            results[dist.name] = (f"FAILED ({exc})", time.monotonic() - started)
    print("\nisolation matrix:")
    for name, (status, seconds) in results.items():
        print(f"  {name:32} {status:10} {seconds:6.1f}s")
    return 0 if all(status == "ok" for status, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
