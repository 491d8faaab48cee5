"""LocalBackend specifics: symlink escapes, hidden temporary files, native paths."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from remote_store import InvalidPath, NotFound, Store
from remote_store.backends import LocalBackend
from remote_store.backends._local import TEMP_PREFIX


@pytest.fixture
def escaping(local_root: Path, outside: Path) -> Path:
    """``root/link`` -> outside folder, ``root/link.txt`` -> outside file."""
    (local_root / "link").symlink_to(outside, target_is_directory=True)
    (local_root / "link.txt").symlink_to(outside / "secret.txt")
    (local_root / "inside.txt").write_bytes(b"inside")
    return local_root


ESCAPES: dict[str, Callable[[Store, str], object]] = {
    "read": lambda s, p: s.read(p),
    "read_bytes": lambda s, p: s.read_bytes(p),
    "read_seekable": lambda s, p: s.read_seekable(p),
    "write": lambda s, p: s.write(p, b"pwned", overwrite=True),
    "write_new": lambda s, p: s.write(p + "/new.txt", b"pwned"),
    "write_deep": lambda s, p: s.write(p + "/new/deeper/x.txt", b"pwned"),
    "write_atomic": lambda s, p: s.write_atomic(p, b"pwned", overwrite=True),
    "write_atomic_new": lambda s, p: s.write_atomic(p + "/sub/n.txt", b"pwned"),
    "open_atomic": lambda s, p: _open_atomic(s, p),
    "write_if_match": lambda s, p: s.write(p, b"pwned", if_match="1-1-1"),
    "write_if_none_match_new": lambda s, p: s.write(p + "/new.txt", b"pwned", if_none_match="*"),
    "exists": lambda s, p: s.exists(p),
    "is_file": lambda s, p: s.is_file(p),
    "is_folder": lambda s, p: s.is_folder(p),
    "get_file_info": lambda s, p: s.get_file_info(p),
    "delete": lambda s, p: s.delete(p),
    "delete_folder": lambda s, p: s.delete_folder(p, recursive=True),
    "list_files": lambda s, p: list(s.list_files(p, recursive=True)),
    "list_folders": lambda s, p: list(s.list_folders(p)),
    "iter_children": lambda s, p: list(s.iter_children(p)),
    "get_folder_info": lambda s, p: s.get_folder_info(p),
    "copy_to": lambda s, p: s.copy("inside.txt", p, overwrite=True),
    "copy_into": lambda s, p: s.copy("inside.txt", p + "/c.txt"),
    "move_to": lambda s, p: s.move("inside.txt", p, overwrite=True),
    "move_into": lambda s, p: s.move("inside.txt", p + "/m.txt"),
    "copy_from": lambda s, p: s.copy(p, "stolen.txt"),
    "move_from": lambda s, p: s.move(p, "stolen.txt"),
    "child_read": lambda s, p: s.child(p).read_bytes("secret.txt"),
    "child_write": lambda s, p: s.child(p).write("x.txt", b"pwned"),
    "child_list": lambda s, p: list(s.child(p).list_files()),
    "child_exists": lambda s, p: s.child(p).exists("secret.txt"),
}


USES_AS_FOLDER = {
    "write_new",
    "write_deep",
    "write_atomic_new",
    "write_if_none_match_new",
    "copy_into",
    "move_into",
    "child_read",
    "child_write",
    "child_list",
    "child_exists",
}


def _open_atomic(store: Store, path: str) -> None:
    with store.open_atomic(path, overwrite=True) as sink:
        sink.write(b"pwned")


@pytest.mark.parametrize("link", ["link", "link.txt", "link/secret.txt"])
@pytest.mark.parametrize("operation", sorted(ESCAPES))
def test_symlink_escape_is_invalid_path_and_changes_nothing(
    escaping: Path, link: str, operation: str
) -> None:
    store = Store(LocalBackend(root=escaping))
    before = _snapshot(escaping.parent)
    if link != "link" and operation in USES_AS_FOLDER:
        # a file link used as a folder: "under a file", a typed refusal or a plain False
        try:
            result = ESCAPES[operation](store, link)
        except (InvalidPath, NotFound):
            pass
        else:
            assert result is False
    else:
        with pytest.raises(InvalidPath, match="escapes"):
            ESCAPES[operation](store, link)
    assert _snapshot(escaping.parent) == before


def _snapshot(folder: Path) -> dict[str, object]:
    tree: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = str(full.relative_to(folder))
            if full.is_symlink():
                tree[rel] = "-> " + os.readlink(full)
            elif full.is_dir():
                tree[rel] = "<dir>"
            else:
                tree[rel] = full.read_bytes()
    return tree


def test_listings_skip_escaping_symlinks_and_show_inside_ones(escaping: Path) -> None:
    (escaping / "sub").mkdir()
    (escaping / "sub" / "f.txt").write_bytes(b"f")
    (escaping / "inner").symlink_to(escaping / "sub", target_is_directory=True)
    (escaping / "alias.txt").symlink_to(escaping / "inside.txt")
    store = Store(LocalBackend(root=escaping))
    files = [str(f.path) for f in store.list_files("", recursive=True)]
    assert files == ["alias.txt", "inner/f.txt", "inside.txt", "sub/f.txt"]
    children = [str(c.path) for c in store.iter_children("")]
    assert children == ["alias.txt", "inner", "inside.txt", "sub"]
    assert [str(f.path) for f in store.list_folders("")] == ["inner", "sub"]
    assert store.read_bytes("alias.txt") == b"inside"
    assert store.read_bytes("inner/f.txt") == b"f"


def test_symlink_inside_root_can_be_overwritten_by_a_write(local_root: Path) -> None:
    (local_root / "real.txt").write_bytes(b"real")
    (local_root / "alias.txt").symlink_to(local_root / "real.txt")
    store = Store(LocalBackend(root=local_root))
    store.write("alias.txt", b"replaced", overwrite=True)
    assert store.read_bytes("alias.txt") == b"replaced"
    assert (local_root / "real.txt").read_bytes() == b"real"


def test_symlink_loop_is_a_typed_error(local_root: Path) -> None:
    (local_root / "loop").symlink_to(local_root / "loop")
    store = Store(LocalBackend(root=local_root))
    with pytest.raises(InvalidPath):
        store.exists("loop")
    with pytest.raises(InvalidPath):
        store.read_bytes("loop")


def test_temp_files_are_hidden_from_listings(local_root: Path) -> None:
    store = Store(LocalBackend(root=local_root))
    store.write("d/visible.txt", b"v")
    (local_root / "d" / f"{TEMP_PREFIX}abc.tmp").write_bytes(b"in flight")
    with store.open_atomic("d/pending.txt") as sink:
        sink.write(b"p")
        names = [str(f.path) for f in store.list_files("", recursive=True)]
        assert names == ["d/visible.txt"]
        assert [str(c.path) for c in store.iter_children("d")] == ["d/visible.txt"]
        hidden = [n for n in os.listdir(local_root / "d") if n.startswith(TEMP_PREFIX)]
        assert len(hidden) == 2  # ours and the planted one
    assert sorted(os.listdir(local_root / "d")) == [
        f"{TEMP_PREFIX}abc.tmp",
        "pending.txt",
        "visible.txt",
    ]


def test_no_temp_file_left_after_any_write(local_root: Path) -> None:
    store = Store(LocalBackend(root=local_root))
    store.write("a.txt", b"1")
    store.write("a.txt", b"2", overwrite=True)
    store.write_atomic("a.txt", b"3", overwrite=True)
    store.copy("a.txt", "b.txt")
    store.move("b.txt", "c.txt")
    with pytest.raises(Exception):
        store.write("a.txt", b"4")
    assert sorted(os.listdir(local_root)) == ["a.txt", "c.txt"]


def test_root_is_created_and_resolved(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    backend = LocalBackend(root=tmp_path / "alias" / "new" / "root")
    assert backend.root == str(tmp_path / "real" / "new" / "root")
    assert os.path.isdir(backend.root)
    assert "LocalBackend(root=" in repr(backend)


@pytest.mark.parametrize("root", ["", None, 3])
def test_bad_root_is_invalid_path(root: Any) -> None:
    with pytest.raises(InvalidPath):
        LocalBackend(root=root)


def test_native_path_to_key_resolve(local_root: Path) -> None:
    backend = LocalBackend(root=local_root)
    store = Store(backend)
    real = backend.root
    assert store.native_path("") == real
    assert store.native_path("a/b.txt") == real + "/a/b.txt"
    assert store.to_key(real + "/a/b.txt") == "a/b.txt"
    assert store.to_key(real) == ""
    assert store.to_key("/elsewhere/x") == "/elsewhere/x"  # 0.27: foreign paths pass through
    plan = store.resolve("/a//b.txt")
    assert plan.kind == "local" and plan.backend == "local"
    assert plan.key == "/a//b.txt"  # the caller's own spelling
    assert plan.native_path == real + "/a/b.txt"
    assert dict(plan.details) == {"root": real, "absolute_path": real + "/a/b.txt"}


def test_child_to_key_refuses_paths_outside_its_root(local_root: Path) -> None:
    store = Store(LocalBackend(root=local_root))
    child = store.child("sub")
    real = store.backend.root  # type: ignore[attr-defined]
    assert child.to_key(real + "/sub/x.txt") == "x.txt"
    assert child.to_key(real + "/sub") == ""
    with pytest.raises(InvalidPath, match="not under the store root"):
        child.to_key(real + "/other/x.txt")
    with pytest.raises(InvalidPath):
        child.to_key("/elsewhere/x")
    assert child.native_path("x.txt") == real + "/sub/x.txt"


def test_check_health(local_root: Path) -> None:
    store = Store(LocalBackend(root=local_root))
    store.ping()
    os.rmdir(local_root)
    with pytest.raises(NotFound):
        store.ping()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_unreadable_file_is_permission_denied(local_root: Path) -> None:
    from remote_store import PermissionDenied

    store = Store(LocalBackend(root=local_root))
    store.write("locked.txt", b"x")
    os.chmod(local_root / "locked.txt", 0)
    with pytest.raises(PermissionDenied):
        store.read_bytes("locked.txt")


def test_glob_on_local(local_root: Path) -> None:
    store = Store(LocalBackend(root=local_root))
    for key in ["a.csv", "b.txt", "d/c.csv", "d/e/f.csv", "x/y.csv"]:
        store.write(key, b"1")
    assert [str(f.path) for f in store.glob("*.csv")] == ["a.csv"]
    assert [str(f.path) for f in store.glob("**/*.csv")] == [
        "a.csv",
        "d/c.csv",
        "d/e/f.csv",
        "x/y.csv",
    ]
    assert [str(f.path) for f in store.glob("d/**")] == ["d/c.csv", "d/e/f.csv"]
    assert [str(f.path) for f in store.glob("?.txt")] == ["b.txt"]
    assert [str(f.path) for f in store.glob("[ab].*")] == ["a.csv", "b.txt"]
    assert [str(f.path) for f in store.glob("[!a].*")] == ["b.txt"]
    assert list(store.glob("missing/*.csv")) == []
    child = store.child("d")
    assert [str(f.path) for f in child.glob("**/*.csv")] == ["c.csv", "e/f.csv"]


@pytest.mark.parametrize("operation", ["read", "exists", "get_file_info", "write", "list_files"])
def test_portable_path_without_openat2_still_refuses_escapes(
    escaping: Path, operation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from remote_store.backends import _fdroot

    monkeypatch.setattr(_fdroot, "OPEN_BENEATH", None)  # every check takes the portable walk
    store = Store(LocalBackend(root=escaping))
    before = _snapshot(escaping.parent)
    with pytest.raises(InvalidPath, match="escapes"):
        ESCAPES[operation](store, "link/secret.txt")
    assert store.read_bytes("inside.txt") == b"inside"
    assert store.exists("inside.txt") and not store.exists("ghost")
    assert _snapshot(escaping.parent) == before


def test_read_bytes_of_a_file_that_grows_between_stat_and_read(local_root: Path) -> None:
    store = Store(LocalBackend(root=local_root))
    store.write("grow.bin", b"x" * 10)
    backend = store.backend
    original = backend._open_read  # type: ignore[attr-defined]

    def open_then_grow(key: str) -> tuple[int, int]:
        fd, size = original(key)
        with open(local_root / "grow.bin", "ab") as extra:
            extra.write(b"y" * 5)
        return fd, size

    backend._open_read = open_then_grow  # type: ignore[attr-defined]
    assert store.read_bytes("grow.bin") == b"x" * 10 + b"y" * 5
