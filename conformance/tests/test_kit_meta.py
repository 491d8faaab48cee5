"""The kit's own tests: broken backends are caught, the command line works as documented.

Each test runs pytest in a fresh folder, as a backend author would, and reads the
certificate it writes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent


def run_pytest(folder: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Run pytest in ``folder`` with a certificate file; return the process and certificate."""
    cert = folder / "cert.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *args,
            f"--rs-certificate={cert}",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    data = json.loads(cert.read_text()) if cert.exists() else None
    return proc, data


def certify_class(folder: Path, backend: str, *args: str, extra: str = "") -> tuple[Any, Any]:
    """Certify ``broken_backends.<backend>`` through a BackendConformance subclass."""
    shutil.copy(HERE / "broken_backends.py", folder / "broken_backends.py")
    extra_lines = textwrap.indent(textwrap.dedent(extra).strip(), "    ")
    source = "\n".join(
        [
            "import pytest",
            "from remote_store_conformance import BackendConformance",
            f"from broken_backends import {backend}",
            "",
            "",
            "class TestBroken(BackendConformance):",
            '    backend_type = "broken"',
            "",
            "    @pytest.fixture",
            "    def rs_backend_factory(self):",
            f"        return {backend}",
            "",
            extra_lines,
            "",
        ]
    )
    (folder / "test_broken.py").write_text(source)
    return run_pytest(folder, "-p", "no:randomly", *args)


def test_kit_reports_fail_for_write_when_overwrite_false_is_ignored(tmp_path: Path) -> None:
    proc, cert = certify_class(tmp_path, "IgnoresOverwrite")
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert cert["capabilities"]["write"] == "fail"
    assert cert["capabilities"]["exclusive_create"] == "fail"
    assert cert["capabilities"]["read"] == "pass"
    assert "test_write_refuses_existing_file_without_overwrite" in cert["failures"]
    assert cert["certified"] is False


def test_kit_reports_fail_for_glob_when_declared_but_missing(tmp_path: Path) -> None:
    proc, cert = certify_class(tmp_path, "DeclaresGlobWithoutIt")
    assert proc.returncode == 1
    assert cert["capabilities"]["glob"] == "fail"
    assert cert["capabilities"]["write"] == "pass"
    assert cert["capabilities"]["list"] == "pass"


def test_kit_fails_conditional_write_that_ignores_the_etag(tmp_path: Path) -> None:
    proc, cert = certify_class(tmp_path, "IgnoresTheCondition")
    assert proc.returncode == 1
    assert cert["capabilities"]["conditional_write"] == "fail"
    assert cert["capabilities"]["write"] == "pass"
    assert cert["capabilities"]["bulk_delete"] == "pass"


def test_kit_fails_bulk_delete_that_hides_a_missing_file(tmp_path: Path) -> None:
    proc, cert = certify_class(tmp_path, "BulkDeleteForgetsMissing")
    assert proc.returncode == 1
    assert cert["capabilities"]["bulk_delete"] == "fail"
    assert cert["capabilities"]["delete"] == "pass"
    assert cert["capabilities"]["conditional_write"] == "pass"


def test_kit_reports_fail_for_read_when_a_native_key_error_leaks(tmp_path: Path) -> None:
    proc, cert = certify_class(tmp_path, "LeaksKeyError")
    assert proc.returncode == 1
    assert cert["capabilities"]["read"] == "fail"
    assert cert["capabilities"]["metadata"] == "fail"
    assert cert["capabilities"]["delete"] == "pass"
    assert "test_read_of_a_missing_file_raises_not_found" in cert["failures"]


def test_kit_reports_refusal_failed_for_an_undeclared_quality_shown_anyway(
    tmp_path: Path,
) -> None:
    proc, cert = certify_class(tmp_path, "ClaimsNativeResults")
    assert proc.returncode == 1
    assert cert["capabilities"]["write_result_native"] == "refusal-failed"
    assert cert["capabilities"]["write"] == "pass"


def test_a_class_whose_server_is_absent_is_reported_not_run_not_failed(
    tmp_path: Path,
) -> None:
    extra = """
    @pytest.fixture
    def rs_backend_factory(self):
        pytest.skip("no server configured")
    """
    proc, cert = certify_class(tmp_path, "ClaimsNativeResults", extra=extra)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert cert["summary"]["passed"] == cert["summary"]["failed"] == 0
    assert cert["summary"]["skipped"] > 0
    assert cert["contract"] == "not-run"
    assert set(cert["capabilities"].values()) == {"not-run"}
    assert cert["certified"] is False
    assert "NOT RUN (every rule skipped)" in proc.stdout


def test_read_only_backend_is_certified_with_seeded_content(tmp_path: Path) -> None:
    extra = """
    @pytest.fixture
    def rs_seeded_backend_factory(self):
        return ReadOnlyMemory.seeded
    """
    proc, cert = certify_class(tmp_path, "ReadOnlyMemory", extra=extra)
    assert proc.returncode == 0, proc.stdout[-3000:]
    caps = cert["capabilities"]
    assert caps["read"] == caps["list"] == caps["metadata"] == "pass"
    for refused in ("write", "delete", "move", "copy", "atomic_write", "glob", "user_metadata"):
        assert caps[refused] == "refused-as-undeclared", refused
    assert cert["certified"] is True


def test_waivers_from_the_command_line_and_pyproject_reach_the_certificate(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.remote-store-conformance]\nwaive = { "glob" = "glob lands in 0.2" }\n'
    )
    proc, cert = certify_class(
        tmp_path,
        "DeclaresGlobWithoutIt",
        "--rs-waive",
        "test_write_refuses_existing_file_without_overwrite=tracked in issue 99",
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert cert["capabilities"]["glob"] == "waived"
    assert {"target": "glob", "reason": "glob lands in 0.2"} in cert["waivers"]
    assert {
        "target": "test_write_refuses_existing_file_without_overwrite",
        "reason": "tracked in issue 99",
    } in cert["waivers"]
    assert cert["summary"]["waived"] >= 3
    assert "waived glob: glob lands in 0.2" in proc.stdout


def test_cli_certifies_an_entry_point_type_without_any_test_file(tmp_path: Path) -> None:
    proc, cert = run_pytest(tmp_path, "--rs-conformance=local", "--rs-option", "root={tmp}/data")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert cert["backend"] == "local"
    assert cert["distribution"] == "remote-store-core"
    assert cert["version"]
    assert cert["kit_version"]
    assert set(cert["capabilities"].values()) <= {"pass", "refused-as-undeclared"}
    assert "remote-store conformance" in proc.stdout


def test_cli_uses_the_root_conftest_factory(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import pytest
            from remote_store.backends import MemoryBackend

            @pytest.fixture
            def rs_backend_factory():
                return MemoryBackend
            """
        )
    )
    proc, cert = run_pytest(tmp_path, "--rs-conformance", "--rs-waive", "write=big files")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert cert["backend"] == "memory"
    assert cert["capabilities"]["write"] == "waived"
    assert cert["capabilities"]["read"] == "pass"


def test_cli_without_a_backend_explains_what_to_do(tmp_path: Path) -> None:
    proc, _ = run_pytest(tmp_path, "--rs-conformance", "-x")
    assert proc.returncode == 1
    assert "define the rs_backend_factory fixture" in proc.stdout


@pytest.mark.parametrize("value", ['{"a": 1}', "3", "plain text"])
def test_options_decode_json_values_and_keep_other_strings(value: str) -> None:
    from remote_store_conformance._factory import decode_options

    decoded = decode_options([f"key={value}"])["key"]
    assert decoded == (json.loads(value) if value != "plain text" else value)


def test_a_correct_backend_without_exclusive_create_is_certified(tmp_path: Path) -> None:
    proc, cert = certify_class(tmp_path, "NoExclusiveCreate")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert cert["certified"] is True
    assert cert["capabilities"]["exclusive_create"] == "refused-as-undeclared"
    assert cert["capabilities"]["move"] == cert["capabilities"]["copy"] == "pass"


def test_kit_fails_move_and_copy_when_the_destination_is_checked_before_the_source(
    tmp_path: Path,
) -> None:
    proc, cert = certify_class(tmp_path, "ChecksDestinationFirst")
    assert proc.returncode == 1
    assert cert["certified"] is False
    assert cert["capabilities"]["move"] == cert["capabilities"]["copy"] == "fail"
    assert cert["capabilities"]["write"] == "pass"
    failures = cert["failures"]
    rule = "test_transfer_of_a_missing_source_onto_an_existing_file_raises_not_found"
    for op in ("move", "copy"):
        assert f"{rule}[as-declared-{op}]" in failures, failures
        # the Store's own check (no EXCLUSIVE_CREATE seen) looks at the source first
        assert f"{rule}[without-exclusive-create-{op}]" not in failures, failures
    assert "test_backend_transfer_of_a_missing_source_maps_to_not_found[copy]" in failures


#: The kit's quick settings: small files, a short stateful run (the rules stay the same).
QUICK = ("--rs-large-file-size=2MiB", "--rs-stateful-examples=5")

# One broken backend per class of bug: each must be NOT CERTIFIED, with the capability
# that owns the broken behaviour failing and the rule named after the contract in the list.
BUG_CLASSES = [
    ("UnsortedGlob", "glob", "test_glob_results_come_in_ascending_path_order"),
    ("PhantomFolders", "list", "test_every_listed_folder_exists_and_is_a_folder"),
    ("StickyMetadata", "user_metadata", "test_metadata_does_not_survive_delete_and_re_create"),
    (
        "StickyMetadata",
        "user_metadata",
        "test_an_overwrite_without_metadata_drops_the_old_metadata",
    ),
    (
        "CopyThenDeleteMove",
        "atomic_move",
        "test_an_observer_never_sees_both_names_or_neither_during_an_atomic_move",
    ),
    (
        "VisibleTemporaryAtomicWrite",
        "atomic_write",
        "test_an_observer_never_sees_a_partial_file_or_a_temporary_name",
    ),
    (
        "PartialAtomicWrite",
        "atomic_write",
        "test_an_observer_never_sees_a_partial_file_or_a_temporary_name",
    ),
    ("LeavesTemporaryOnFailure", "write", "test_failed_writes_leave_no_visible_sibling"),
    (
        "PercentEncodedListing",
        "list",
        "test_special_names_are_listed_and_read_exactly_as_written",
    ),
]


@pytest.mark.parametrize(("backend", "capability", "rule"), BUG_CLASSES)
def test_kit_refuses_a_certificate_to_each_class_of_bug(
    tmp_path: Path, backend: str, capability: str, rule: str
) -> None:
    proc, cert = certify_class(tmp_path, backend, *QUICK)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert cert["certified"] is False
    assert cert["capabilities"][capability] == "fail", cert["capabilities"]
    assert rule in {name.partition("[")[0] for name in cert["failures"]}, cert["failures"]


def test_certificate_records_the_declared_folder_semantics_and_the_probes(
    tmp_path: Path,
) -> None:
    proc, cert = certify_class(tmp_path, "NoExclusiveCreate", *QUICK)
    assert proc.returncode == 0, proc.stdout[-3000:]
    semantics = cert["folder_semantics"]
    assert semantics["keeps_empty_folders"] is True
    assert semantics["rejects_file_ancestors"] is True
    probes = semantics["probes"]
    assert probes["listed_folders_exist"] is True
    assert probes["empty_folder_kept"] == {"listed": True, "exists": True, "is_folder": True}
    assert probes["write_below_a_file_refused"] is True
    assert cert["in_process_storage"] is True


def test_a_misdeclared_folder_semantics_is_not_certified(tmp_path: Path) -> None:
    (tmp_path / "flat_memory.py").write_text(
        "from remote_store import FolderSemantics\n"
        "from remote_store.backends import MemoryBackend\n\n"
        "class SaysFlat(MemoryBackend):\n"
        "    FOLDER_SEMANTICS = FolderSemantics.FLAT\n"
    )
    extra = """
    @pytest.fixture
    def rs_backend_factory(self):
        from flat_memory import SaysFlat
        return SaysFlat
    """
    proc, cert = certify_class(tmp_path, "NoExclusiveCreate", *QUICK, extra=extra)
    assert proc.returncode == 1
    assert cert["capabilities"]["list"] == "fail"
    assert cert["capabilities"]["write"] == "fail"
    failures = {name.partition("[")[0] for name in cert["failures"]}
    assert "test_an_emptied_folder_is_kept_exactly_when_declared" in failures
    assert "test_a_write_below_a_file_is_refused_exactly_when_declared" in failures
