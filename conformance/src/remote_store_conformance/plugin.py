"""The pytest plugin: options, the shipped suite, result recording and certificates."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_store import Backend

from remote_store_conformance import __version__
from remote_store_conformance._certificate import build_certificate
from remote_store_conformance._factory import decode_options, entry_point_factory, load_callable
from remote_store_conformance._markers import REFUSAL_MARK, RULE_MARK, register_markers
from remote_store_conformance._recorder import Outcome, RuleResult, recorder_of
from remote_store_conformance._settings import add_setting_options, backend_type_option
from remote_store_conformance._waivers import parse_cli_waivers, read_pyproject_waivers
from remote_store_conformance.suite._base import CHARGED_TO, WAIVED, ConformanceBase, class_key

#: The module ``pytest --rs-conformance`` collects: the whole suite, no author test file.
SHIPPED_SUITE = Path(__file__).parent / "shipped" / "test_remote_store_conformance.py"

_OUTCOME = pytest.StashKey[Outcome]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The kit's command-line options."""
    group = parser.getgroup("remote-store-conformance", "remote-store backend certification")
    group.addoption(
        "--rs-conformance",
        nargs="?",
        const="",
        default=None,
        metavar="TYPE",
        help="run the kit's suite against backend TYPE (from the remote_store.backends entry "
        "points) or, without TYPE, against the rs_backend_factory fixture of conftest.py",
    )
    group.addoption(
        "--rs-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="constructor option of --rs-conformance=TYPE; JSON values are decoded; "
        "'{tmp}' in a value becomes a fresh temporary folder per backend",
    )
    group.addoption(
        "--rs-async",
        action="store_true",
        default=False,
        help="--rs-conformance=TYPE names an async backend (remote_store.async_backends); "
        "the kit runs it through AsyncBackendSyncAdapter",
    )
    group.addoption(
        "--rs-seeded-factory",
        default=None,
        metavar="MODULE:CALLABLE",
        help="read-only backends: a callable taking {path: bytes} and returning a backend "
        "that sees exactly those files (what the rs_seeded_backend_factory fixture returns)",
    )
    group.addoption(
        "--rs-certificate", default=None, metavar="FILE", help="write the JSON certificate"
    )
    group.addoption(
        "--rs-certificate-dir",
        default=None,
        metavar="DIR",
        help="write one JSON certificate per certified test class into DIR",
    )
    add_setting_options(group)
    group.addoption(
        "--rs-waive",
        action="append",
        default=[],
        metavar="RULE_OR_CAPABILITY=REASON",
        help="waive a rule (test name) or a capability, with a reason shown in the certificate",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register markers, read waivers and, with ``--rs-conformance``, collect the suite."""
    register_markers(config)
    recorder = recorder_of(config)
    read_pyproject_waivers(config.rootpath / "pyproject.toml", recorder.waivers)
    parse_cli_waivers(config.getoption("rs_waive"), recorder.waivers)
    if config.getoption("rs_conformance") is not None:
        shipped = str(SHIPPED_SUITE)
        if config.args_source == pytest.Config.ArgsSource.ARGS:
            config.args.append(shipped)
        else:  # no paths given: run the suite alone, not the project's other tests
            config.args[:] = [shipped]


@pytest.fixture
def rs_backend_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], Backend]:
    """The backend of ``--rs-conformance=TYPE``; authors override this fixture."""
    type_name = request.config.getoption("rs_conformance")
    if not type_name:
        pytest.fail(
            "no backend to certify: define the rs_backend_factory fixture (a zero-argument "
            "callable returning a fresh, empty backend) in conftest.py, or pass "
            "--rs-conformance=TYPE",
            pytrace=False,
        )
    options = decode_options(request.config.getoption("rs_option"))
    return entry_point_factory(
        type_name,
        options,
        str(tmp_path_factory.getbasetemp()),
        asynchronous=bool(request.config.getoption("rs_async")),
    )


@pytest.fixture
def rs_seeded_backend_factory(
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., Backend] | None]:
    """Read-only backends override this: ``files -> backend`` seeing exactly those files
    (``--rs-seeded-factory MODULE:CALLABLE`` names one from the command line)."""
    target = request.config.getoption("rs_seeded_factory", None)
    if not target:
        yield None
        return
    seeded = load_callable(target)
    made: list[Backend] = []

    def factory(files: Any) -> Backend:
        backend: Backend = seeded(files)
        made.append(backend)
        return backend

    yield factory
    for backend in made:
        backend.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Record each suite test's outcome against its capability."""
    report = yield
    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, ConformanceBase):
        _record(item, cls, report)
    return report


def _record(item: pytest.Item, cls: type[ConformanceBase], report: pytest.TestReport) -> None:
    previous = item.stash.get(_OUTCOME, None)
    outcome: Outcome | None = None
    if report.failed:
        outcome = "failed"
    elif report.skipped and previous is None:
        outcome = "waived" if WAIVED in item.stash else "skipped"
    elif report.when == "call" and report.passed:
        outcome = "passed"
    if outcome is None or previous == "failed":
        return
    item.stash[_OUTCOME] = outcome
    rule = item.get_closest_marker(RULE_MARK)
    refusal = item.get_closest_marker(REFUSAL_MARK)
    marker = rule or refusal
    type_name = (
        backend_type_option(item.config)
        or cls.backend_type
        or item.config.getoption("rs_conformance")
        or None
    )
    record = recorder_of(item.config).record_for(class_key(item), type_name)
    capability = marker.args[0] if marker is not None else None
    if outcome == "failed" and refusal is None:
        capability = item.stash.get(CHARGED_TO, capability)
    record.results[item.name] = RuleResult(
        name=item.name,
        capability=capability,
        refusal=refusal is not None,
        outcome=outcome,
    )


def _certificates(config: pytest.Config) -> list[dict[str, Any]]:
    recorder = recorder_of(config)
    return [
        build_certificate(record, recorder.waivers, __version__)
        for record in recorder.classes.values()
        if record.results
    ]


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Print the verdict per capability, and write the requested certificate files."""
    certificates = _certificates(config)
    if not certificates:
        return
    tr = terminalreporter
    tr.section("remote-store conformance")
    for cert in certificates:
        s = cert["summary"]
        if cert["certified"]:
            verdict = "CERTIFIED"
        elif s["passed"] == s["failed"] == 0:
            verdict = "NOT RUN (every rule skipped)"
        else:
            verdict = "NOT CERTIFIED"
        tr.write_line(
            f"{cert['backend']} ({cert['test_class']}): {verdict} - {s['passed']} passed, "
            f"{s['failed']} failed, {s['skipped']} skipped, {s['waived']} waived"
        )
        tr.write_line(f"  {'contract':<22} {cert['contract']}")
        for name, status in cert["capabilities"].items():
            tr.write_line(f"  {name:<22} {status}")
        for waiver in cert["waivers"]:
            tr.write_line(f"  waived {waiver['target']}: {waiver['reason']}")
    _write_files(config, certificates, tr)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist each worker writes the certificates of the classes it ran (the
    controller has no results and no terminal summary of them): run with ``--dist loadscope``
    or ``loadfile`` so that one class is never split between workers."""
    config = session.config
    if not hasattr(config, "workerinput"):
        return
    certificates = _certificates(config)
    if certificates:
        _write_files(config, certificates, None)


def _write_files(config: pytest.Config, certificates: list[dict[str, Any]], tr: Any | None) -> None:
    single = config.getoption("rs_certificate")
    if single:
        path = Path(single)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload: Any = certificates[0] if len(certificates) == 1 else certificates
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        if tr is not None:
            tr.write_line(f"certificate written to {path}")
    folder = config.getoption("rs_certificate_dir")
    if folder:
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        for cert in certificates:
            name = cert["test_class"].rpartition("::")[2] or "suite"
            path = target / f"{cert['backend']}-{name}.json"
            path.write_text(json.dumps(cert, indent=2) + "\n", encoding="utf-8")
            if tr is not None:
                tr.write_line(f"certificate written to {path}")
