"""Symlinks the descriptor-relative resolution follows (inside the root) and refuses
(leaving it), with ``openat2`` and with the component walk; the temporary-file sweep."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest
from remote_store import InvalidPath, Store
from remote_store.backends import LocalBackend, _fdroot
from remote_store.backends._beneath import load_open_beneath
from remote_store.backends._local import TEMP_PREFIX
from remote_store.errors import InvalidArgument


@pytest.fixture(params=["openat2", "walk"])
def store(
    request: pytest.FixtureRequest, local_root: Path, monkeypatch: pytest.MonkeyPatch
) -> Store:
    beneath = load_open_beneath()
    if request.param == "openat2" and beneath is None:
        pytest.skip("openat2 is not available here")
    monkeypatch.setattr(_fdroot, "OPEN_BENEATH", beneath if request.param == "openat2" else None)
    (local_root / "b").mkdir()
    (local_root / "b" / "f.txt").write_bytes(b"in b")
    (local_root / "a").mkdir()
    return Store(LocalBackend(root=local_root))


def _tree(folder: Path) -> dict[str, object]:
    return {
        str(p.relative_to(folder)): (
            "-> " + os.readlink(p) if p.is_symlink() else p.read_bytes() if p.is_file() else None
        )
        for p in sorted(folder.rglob("*"))
    }


def test_relative_symlink_with_dotdot_inside_is_followed(store: Store, local_root: Path) -> None:
    (local_root / "a" / "up").symlink_to("../b", target_is_directory=True)
    assert store.read_bytes("a/up/f.txt") == b"in b"
    assert store.get_file_info("a/up/f.txt").size == 4
    store.write("a/up/new/deep.txt", b"through a link")
    assert (local_root / "b" / "new" / "deep.txt").read_bytes() == b"through a link"
    assert [str(f.path) for f in store.list_files("a/up", recursive=True)] == [
        "a/up/f.txt",
        "a/up/new/deep.txt",
    ]
    store.move("a/up/f.txt", "a/up/g.txt")
    assert (local_root / "b" / "g.txt").read_bytes() == b"in b"


@pytest.mark.parametrize("target", ["../../outside", "../../root/../outside", "../../../"])
def test_relative_symlink_leaving_the_root_is_refused(
    store: Store, local_root: Path, outside: Path, target: str
) -> None:
    (local_root / "a" / "esc").symlink_to(target, target_is_directory=True)
    before = _tree(outside)
    for operation in (
        lambda: store.read_bytes("a/esc/secret.txt"),
        lambda: store.exists("a/esc/secret.txt"),
        lambda: store.write("a/esc/x.txt", b"pwned"),
        lambda: store.write("a/esc/n/x.txt", b"pwned"),
        lambda: list(store.list_files("a/esc")),
        lambda: store.delete("a/esc/secret.txt"),
        lambda: store.delete_folder("a/esc", recursive=True),
        lambda: store.move("b/f.txt", "a/esc/f.txt"),
    ):
        with pytest.raises(InvalidPath, match="escapes"):
            operation()
    assert _tree(outside) == before
    assert [str(c.path) for c in store.iter_children("a")] == []  # the link is not listed


def test_symlink_chains_and_loops(store: Store, local_root: Path) -> None:
    previous = "b"
    for index in range(10):
        (local_root / f"l{index}").symlink_to(previous, target_is_directory=True)
        previous = f"l{index}"
    assert store.read_bytes("l9/f.txt") == b"in b"
    (local_root / "x1").symlink_to("x2")
    (local_root / "x2").symlink_to("x1")
    for operation in (
        lambda: store.exists("x1/f.txt"),
        lambda: store.read_bytes("x1"),
        lambda: store.write("x1/f.txt", b"x"),
    ):
        with pytest.raises(InvalidPath):
            operation()


def test_absolute_link_through_an_outside_path_that_leads_back_inside(
    store: Store, local_root: Path, tmp_path: Path
) -> None:
    (tmp_path / "hop").symlink_to(local_root / "b", target_is_directory=True)
    (local_root / "via").symlink_to(tmp_path / "hop", target_is_directory=True)
    assert store.read_bytes("via/f.txt") == b"in b"


def test_recursive_delete_removes_links_never_their_targets(
    store: Store, local_root: Path, outside: Path
) -> None:
    tree = local_root / "a" / "t"
    (tree / "deep").mkdir(parents=True)
    (tree / "deep" / "x.txt").write_bytes(b"x")
    (tree / "out").symlink_to(outside, target_is_directory=True)
    (tree / "deep" / "secret.txt").symlink_to(outside / "secret.txt")
    (tree / "inner").symlink_to(local_root / "b", target_is_directory=True)
    before = _tree(outside)
    store.delete_folder("a/t", recursive=True)
    assert not tree.exists()
    assert _tree(outside) == before
    assert (local_root / "b" / "f.txt").read_bytes() == b"in b"


def test_a_symlinked_folder_is_not_deleted_through_its_link(store: Store, local_root: Path) -> None:
    (local_root / "link").symlink_to("b", target_is_directory=True)
    with pytest.raises(InvalidPath, match="symlink"):
        store.delete_folder("link", recursive=True)
    assert (local_root / "b" / "f.txt").exists()


def test_a_folder_that_contains_itself_is_listed_once(store: Store, local_root: Path) -> None:
    (local_root / "b" / "again").symlink_to("..", target_is_directory=True)
    listed = [str(f.path) for f in store.list_files("b", recursive=True)]
    assert "b/f.txt" in listed and len(listed) == len(set(listed)) < 10


def test_an_ancestor_that_is_a_file(store: Store) -> None:
    with pytest.raises(InvalidPath, match="ancestor"):
        store.write("b/f.txt/x.txt", b"x")
    assert not store.exists("b/f.txt/x.txt")
    assert list(store.list_files("b/f.txt")) == []


# -- the sweep of temporary files ---------------------------------------------------------


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_sweep_removes_only_old_own_temp_files(
    store: Store, local_root: Path, outside: Path
) -> None:
    old, fresh, deep = (
        local_root / f"{TEMP_PREFIX}0123456789ab.tmp",
        local_root / f"{TEMP_PREFIX}aaaaaaaaaaaa.tmp",
        local_root / "a" / f"{TEMP_PREFIX}bbbbbbbbbbbb.tmp",
    )
    kept_names = [
        f"{TEMP_PREFIX}abc.tmp",  # not our exact pattern
        f"{TEMP_PREFIX}0123456789AB.tmp",
        f"{TEMP_PREFIX}0123456789ab.tmp.bak",
        "x.tmp",
        "0123456789ab.tmp",
    ]
    for path in (old, fresh, deep, *(local_root / name for name in kept_names)):
        path.write_bytes(b"t")
    folder_named_like_one = local_root / f"{TEMP_PREFIX}cccccccccccc.tmp"
    folder_named_like_one.mkdir()
    outside_temp = outside / f"{TEMP_PREFIX}dddddddddddd.tmp"
    outside_temp.write_bytes(b"not ours")
    (local_root / "out").symlink_to(outside, target_is_directory=True)
    link_like_one = local_root / "b" / f"{TEMP_PREFIX}eeeeeeeeeeee.tmp"
    link_like_one.symlink_to(outside_temp)
    for path in (old, deep, folder_named_like_one, outside_temp, link_like_one):
        _age(path, 7200)
    for name in kept_names:
        _age(local_root / name, 7200)
    backend = store.backend
    assert isinstance(backend, LocalBackend)
    assert backend.sweep_temp_files(older_than=3600) == 2
    assert not old.exists() and not deep.exists()
    assert fresh.exists() and folder_named_like_one.is_dir() and outside_temp.exists()
    assert link_like_one.is_symlink()
    assert all((local_root / name).exists() for name in kept_names)
    assert backend.sweep_temp_files() == 0  # the default bound (a day) keeps the fresh one


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "1"])
def test_sweep_refuses_a_bad_age(local_root: Path, bad: object) -> None:
    backend = LocalBackend(root=local_root)
    with pytest.raises(InvalidArgument):
        backend.sweep_temp_files(older_than=bad)  # type: ignore[arg-type]


def test_a_fifo_in_the_root_is_refused_without_hanging(store: Store, local_root: Path) -> None:
    os.mkfifo(local_root / "b" / "pipe")
    for operation in (
        lambda: store.read_bytes("b/pipe"),
        lambda: store.read("b/pipe"),
        lambda: store.copy("b/pipe", "b/copy"),
        lambda: store.get_file_info("b/pipe"),
    ):
        with pytest.raises(InvalidPath):
            operation()
    assert not (local_root / "b" / "copy").exists()
    assert [str(f.path) for f in store.list_files("b")] == ["b/f.txt"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_moving_a_relative_file_link_moves_what_it_shows(
    store: Store, local_root: Path, overwrite: bool
) -> None:
    (local_root / "a" / "alias.txt").symlink_to("../b/f.txt")
    (local_root / "a" / "deeper").mkdir()
    (local_root / "a" / "deeper" / "f.txt").write_bytes(b"another file")
    store.move("a/alias.txt", "a/deeper/moved.txt", overwrite=overwrite)
    assert store.read_bytes("a/deeper/moved.txt") == b"in b"
    assert not (local_root / "a" / "deeper" / "moved.txt").is_symlink()
    assert not os.path.lexists(local_root / "a" / "alias.txt")
    assert (local_root / "b" / "f.txt").read_bytes() == b"in b"  # the target stays


def test_stat_of_a_nested_key_whose_last_name_is_a_symlink(
    store: Store, local_root: Path, outside: Path
) -> None:
    """``exists``/``get_file_info`` of a nested key (one ``openat2`` of the node itself):
    a final symlink is followed inside the root, refused when it leaves it."""
    (local_root / "a" / "in").symlink_to("../b/f.txt")
    (local_root / "a" / "abs").symlink_to(local_root / "b" / "f.txt")
    (local_root / "a" / "dir").symlink_to("../b", target_is_directory=True)
    (local_root / "a" / "gone").symlink_to("../b/missing.txt")
    (local_root / "a" / "out").symlink_to(outside / "secret.txt")
    (local_root / "a" / "up").symlink_to("../../outside/secret.txt")
    for key in ("a/in", "a/abs"):
        assert store.exists(key)
        assert store.is_file(key)
        assert store.get_file_info(key).size == 4
    assert store.is_folder("a/dir")
    assert not store.exists("a/gone")
    assert not store.exists("b/f.txt/below")  # a file where a folder must be
    assert not store.exists("a/missing/deeper")
    for key in ("a/out", "a/up"):
        with pytest.raises(InvalidPath, match="escapes"):
            store.exists(key)
        with pytest.raises(InvalidPath, match="escapes"):
            store.get_file_info(key)
