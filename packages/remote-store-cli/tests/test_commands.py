"""Every command in-process on local and memory stores: output, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any as Cli

import pytest
from remote_store.errors import AlreadyExists, NotFound, PermissionDenied, TreeTransferError
from remote_store_cli import EXIT_CODES, build_parser, exit_code_of

FILES = {"a.txt": b"alpha\n", "sub/b.bin": bytes(range(256)) * 5000, "sub/deep/c": b"c"}


def make_tree(folder: Path, files: dict[str, bytes] = FILES) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def tree_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("store", ["box", "other"])
def test_upload_list_read_download_round_trip(cli: Cli, work: Path, store: str) -> None:
    make_tree(work / "src")
    done = cli("--json", "cp", "-r", "src", f"{store}:up")
    assert done.code == 0, done.err
    assert done.json()["copied"] == 3 and done.json()["bytes"] == sum(map(len, FILES.values()))
    listing = cli("--json", "ls", "-R", f"{store}:up").json()
    assert sorted(e["path"] for e in listing) == sorted(FILES)
    assert {e["path"]: e["size"] for e in listing} == {k: len(v) for k, v in FILES.items()}
    top = cli("ls", f"{store}:up")
    assert top.out.splitlines() == ["a.txt", "sub/"]
    assert cli("cat", f"{store}:up/a.txt").out == "alpha\n"
    assert cli("cp", "-r", f"{store}:up", "down").code == 0
    assert tree_of(work / "down") == FILES


def test_ls_long_and_file(cli: Cli, work: Path) -> None:
    make_tree(work / "src")
    cli("cp", "-r", "src", "box:d")
    long = cli("ls", "-l", "box:d").out.splitlines()
    assert long[0].split()[0] == "6" and long[0].endswith("a.txt")
    one = cli("--json", "ls", "box:d/a.txt").json()
    assert one == [dict(one[0], path="a.txt", size=6, type="file")]


def test_cp_file_into_folder_and_overwrite(cli: Cli, work: Path) -> None:
    (work / "f.txt").write_text("one")
    assert cli("cp", "f.txt", "box:dir/").code == 0
    assert cli("cat", "box:dir/f.txt").out == "one"
    (work / "f.txt").write_text("two")
    refused = cli("cp", "f.txt", "box:dir/f.txt")
    assert refused.code == 5 and "AlreadyExists" not in refused.out
    assert cli("cat", "box:dir/f.txt").out == "one"
    assert cli("cp", "-f", "f.txt", "box:dir/f.txt").code == 0
    assert cli("cat", "box:dir/f.txt").out == "two"


def test_cp_between_profiles_of_one_backend_and_mv(cli: Cli, work: Path) -> None:
    make_tree(work / "src")
    cli("cp", "-r", "src", "box:x")
    assert cli("cp", "-r", "box:x", "other:y").code == 0
    assert sorted(e["path"] for e in cli("--json", "ls", "-R", "other:y").json()) == sorted(FILES)
    assert cli("mv", "-r", "other:y", "box:z").code == 0
    assert cli("--json", "ls", "-R", "other:").json() == []
    assert cli("mv", "box:z/a.txt", "other:moved.txt").code == 0
    assert cli("cat", "other:moved.txt").out == "alpha\n"
    assert cli("cat", "box:z/a.txt").code == 3


def test_folder_without_r_is_refused(cli: Cli, work: Path) -> None:
    make_tree(work / "src")
    done = cli("cp", "src", "box:x")
    assert done.code == 8 and "-r" in done.err
    assert cli("--json", "ls", "-R", "box:").json() == []


def test_rm(cli: Cli, work: Path) -> None:
    make_tree(work / "src")
    cli("cp", "-r", "src", "box:x")
    assert cli("rm", "box:x/a.txt").code == 0
    assert cli("rm", "box:x/a.txt").code == 3
    assert cli("rm", "-f", "box:x/a.txt").code == 0
    assert cli("rm", "box:x").code == 8
    assert cli("rm", "-r", "box:x").code == 0
    assert cli("--json", "ls", "box:").json() == []
    assert cli("rm", "-r", "box:").code == 8  # never the store root
    assert cli("rm", "-r", "box:/").code == 8


def test_sync_delete_dry_run_and_compare(cli: Cli, work: Path) -> None:
    make_tree(work / "src")
    first = cli("--json", "sync", "src", "box:m").json()
    assert first["copied"] == 3
    again = cli("--json", "sync", "src", "box:m").json()
    assert again["copied"] == 0 and again["skipped"] == 3
    (work / "src" / "a.txt").write_bytes(b"changed, longer\n")
    (work / "src" / "sub" / "b.bin").unlink()
    plan = cli("--json", "sync", "--delete", "--dry-run", "src", "box:m").json()
    assert plan["dry_run"] and plan["copied"] == 1 and plan["deleted"] == 1
    assert cli("info", "box:m/sub/b.bin").code == 0  # dry run changed nothing
    assert cli("sync", "--delete", "src", "box:m").code == 0
    assert cli("cat", "box:m/a.txt").out == "changed, longer\n"
    assert cli("info", "box:m/sub/b.bin").code == 3
    assert cli("--json", "sync", "--compare", "digest", "src", "box:m").json()["copied"] == 0


def test_info_du(cli: Cli, work: Path) -> None:
    make_tree(work / "src")
    cli("cp", "-r", "src", "box:d")
    store = cli("--json", "info", "box:").json()
    assert store["backend"] == "local" and "copy" in store["capabilities"]
    assert store["files"] == 3
    folder = cli("--json", "info", "box:d/sub").json()
    assert (folder["type"], folder["files"], folder["size"]) == ("folder", 2, 1_280_001)
    file = cli("--json", "info", "box:d/a.txt").json()
    assert (file["type"], file["size"]) == ("file", 6)
    rows = cli("--json", "du", "box:d").json()
    assert rows[-1] == {"path": "box:d", "files": 3, "size": 1_280_007}
    assert {"path": "sub/", "files": 2, "size": 1_280_001} in rows
    assert cli("--json", "du", "-s", "box:d").json() == [rows[-1]]
    assert "1.2 MiB" in cli("du", "-s", "-H", "box:d").out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["ls", "box:../x"], 8),  # path escape
        (["ls", "box:a/../../x"], 8),
        (["cat", "box:..\\..\\etc\\passwd"], 8),
        (["ls", "nosuch:x"], 6),  # unknown profile
        (["ls", "box:missing"], 3),
        (["cat", "box:missing.txt"], 3),
        (["cat", "box:"], 8),
        (["cp", "box:missing", "box:y"], 3),
        (["info", "box:nope"], 3),
        (["ls", "box:bad\x00name"], 8),
        (["sync", "box:../up", "box:x"], 8),
        (["cp", "-r", "box:", "box:inside"], 8),  # destination inside the source
    ],
)
def test_bad_addresses_are_typed_exit_codes(cli: Cli, args: list[str], code: int) -> None:
    done = cli("--json", *args)
    assert done.code == code, done.out + done.err
    error = done.json()["error"]
    assert error["exit_code"] == code and error["type"] and error["message"]


def test_a_store_error_names_the_path_given_and_the_location(cli: Cli) -> None:
    error = cli("--json", "cat", "box:./gone//x.txt").json()["error"]
    assert error["type"] == "NotFound"
    assert error["key"].endswith("gone/x.txt") and error["location"].startswith("local folder ")
    assert error["location"] in error["message"]


def test_missing_config_is_a_config_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from remote_store_cli import main

    assert main(["--config", str(work / "nope.toml"), "ls", "box:"]) == 6
    assert "config file not found" in capsys.readouterr().err


def test_local_paths_need_no_config(cli: Cli, work: Path) -> None:
    make_tree(work / "src")
    odd = work / "odd:name.txt"
    odd.write_text("colon")
    assert cli("cat", "./odd:name.txt").out == "colon"
    assert cli("cp", "-r", "src", "copy").code == 0
    assert tree_of(work / "copy") == FILES


def test_config_check_masks_secrets(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLI_TEST_SECRET", "hunter2-very-secret")
    path = tmp_path / "c.toml"
    path.write_text(
        """
[backends.s3]
type = "s3"
[backends.s3.options]
bucket = "b"
key = "AKIA"
secret = "${CLI_TEST_SECRET}"
endpoint_url = "http://user:pw-in-url@127.0.0.1:9"
[stores.data]
backend = "s3"
"""
    )
    done = cli("config", "check", str(path))
    assert done.code == 0, done.err
    assert "hunter2" not in done.out and "pw-in-url" not in done.out and "***" in done.out
    data = cli("--json", "config", "check", str(path)).json()
    assert data["backends"]["s3"]["options"]["secret"] == "***"
    assert data["stores"]["data"]["backend"] == "s3"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('[backends.x]\ntype = "nosuchtype"\n', 6),
        ('[backends.x]\ntype = "local"\noptions = { rooot = "/tmp" }\n', 6),
        ("[stores.a]\nbackend = 'missing'\n", 6),
        ("not = [valid toml", 6),
        ('[backends.x]\ntype = "s3"\noptions = { secret = "${CLI_UNSET_VAR_XYZ}" }\n', 6),
    ],
)
def test_config_check_refuses_bad_configs(cli: Cli, tmp_path: Path, text: str, code: int) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    done = cli("--json", "config", "check", str(path))
    assert done.code == code, done.out
    assert done.json()["ok"] is False


def _certificate(**changes: object) -> dict[str, object]:
    from remote_store import Capability

    cert: dict[str, object] = {
        "backend": "demo",
        "backend_class": "demo.Backend",
        "distribution": "demo",
        "version": "1.0",
        "kit_version": "0.1.0",
        "certified": True,
        "contract": "pass",
        "summary": {"passed": 10, "failed": 0, "skipped": 1, "waived": 0},
        "capabilities": {c.value: "pass" for c in Capability},
        "failures": [],
    }
    cert.update(changes)
    return cert


def test_cert_print_and_verify(cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_certificate()))
    done = cli("cert", "--verify", str(good))
    assert done.code == 0 and "certified:    yes" in done.out
    caps = dict(_certificate()["capabilities"])  # type: ignore[call-overload]
    caps["read"] = "fail"
    failing = tmp_path / "failing.json"
    failing.write_text(json.dumps(_certificate(certified=False, capabilities=caps)))
    assert cli("cert", str(failing)).code == 0
    assert cli("cert", "--verify", str(failing)).code == 10
    lying = tmp_path / "lying.json"
    lying.write_text(json.dumps(_certificate(capabilities=caps)))  # certified but a fail
    assert cli("cert", str(lying)).code == 8
    (tmp_path / "junk.json").write_text("{not json")
    assert cli("cert", str(tmp_path / "junk.json")).code == 8
    assert cli("cert", str(tmp_path / "absent.json")).code == 3


def test_cert_reads_what_the_kit_writes(cli: Cli, tmp_path: Path) -> None:
    """A certificate written by the conformance kit (memory backend) is read and verified."""
    import subprocess
    import sys

    folder = tmp_path / "certs"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rs-conformance=memory",
            f"--rs-certificate-dir={folder}",
            "-k",
            "read_bytes or write_text or exists",  # a few rules: fast, still real
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    assert files, done.stdout[-2000:]
    written = json.loads(files[0].read_text())
    result = cli("--json", "cert", "--verify", str(files[0]))
    assert result.code == (0 if written["certified"] else 10), result.out
    assert result.json()["capabilities"] == written["capabilities"]
    assert "not-run" in written["capabilities"].values()  # a partial run is not certified
    assert cli("cert", str(files[0])).code == 0


def test_exit_code_table_and_mapping() -> None:
    assert {0, 2, 3, 4, 5, 6, 7, 8, 9, 130} <= set(EXIT_CODES)
    assert exit_code_of(NotFound("x")) == 3
    assert exit_code_of(PermissionDenied("x")) == 4
    same = TreeTransferError("t", failures={"a": AlreadyExists("a"), "b": AlreadyExists("b")})
    assert exit_code_of(same) == 5
    mixed = TreeTransferError("t", failures={"a": AlreadyExists("a"), "b": NotFound("b")})
    assert exit_code_of(mixed) == 9


def test_help_has_examples_and_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "exit codes:" in text and "remote-store cp -r" in text
    for bad in (
        ["frobnicate"],
        ["cp", "a"],
        ["cp", "-j", "0", "a", "b"],
        ["sync", "--compare", "x", "a", "b"],
    ):
        with pytest.raises(SystemExit) as info:
            parser.parse_args(bad)
        assert info.value.code == 2


def test_options_after_the_command_are_kept(cli: Cli, work: Path) -> None:
    make_tree(work / "src")
    cli("cp", "-r", "src", "box:d")
    before = cli("--json", "ls", "box:d")
    after = cli("ls", "--json", "box:d")
    assert before.json() == after.json()
