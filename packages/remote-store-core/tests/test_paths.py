"""RemotePath and key normalisation: COMPAT 1.2's table, row by row."""

from __future__ import annotations

import pickle

import pytest
from remote_store import InvalidPath, RemotePath
from remote_store._path import check_key, normalize_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/a/b.txt", "a/b.txt"),  # leading slash stripped
        ("a//b", "a/b"),  # repeated slashes collapsed
        ("a/./b", "a/b"),  # "." segments dropped
        ("a/b/", "a/b"),  # trailing slash dropped
        ("a\\b", "a/b"),  # backslash is a separator
        (" a/b ", " a/b "),  # surrounding whitespace kept
        ("./a", "a"),
        ("é.txt", "é.txt"),
    ],
)
def test_normalisation_table_rows_give_the_normal_key(raw: str, expected: str) -> None:
    assert str(RemotePath(raw)) == expected


def test_unicode_forms_are_not_folded() -> None:
    nfc, nfd = "\u00e9.txt", "e\u0301.txt"
    assert RemotePath(nfc) != RemotePath(nfd)


@pytest.mark.parametrize(
    "raw",
    ["..", "a/../b", "../a", "a/..", "a\\..\\b"],
)
def test_dotdot_anywhere_is_invalid(raw: str) -> None:
    with pytest.raises(InvalidPath, match=r"'\.\.'"):
        RemotePath(raw)


@pytest.mark.parametrize("raw", ["a\x00b", "\x00"])
def test_nul_byte_is_invalid(raw: str) -> None:
    with pytest.raises(InvalidPath, match="NUL"):
        RemotePath(raw)


@pytest.mark.parametrize("char", ["\x01", "\n", "\r", "\t", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_invalid(char: str) -> None:
    with pytest.raises(InvalidPath, match="control"):
        RemotePath(f"a{char}b")


@pytest.mark.parametrize("raw", ["", ".", "/", "//", "./", "/./", "\\"])
def test_empty_after_normalisation_is_invalid(raw: str) -> None:
    with pytest.raises(InvalidPath, match="empty"):
        RemotePath(raw)


@pytest.mark.parametrize("raw", [1, None, b"a/b", 1.5, ["a"], object()])
def test_non_string_path_is_invalid_path(raw: object) -> None:
    with pytest.raises(InvalidPath, match="must be a str"):
        RemotePath(raw)  # type: ignore[arg-type]


def test_normalize_key_refuses_bytes_directly() -> None:
    with pytest.raises(InvalidPath, match="must be a str"):
        normalize_key(b"a")  # type: ignore[arg-type]


def test_str_subclass_is_accepted_as_its_text() -> None:
    class Name(str):
        pass

    assert check_key(Name("/x/y")) == "x/y"


def test_remote_path_accepts_a_remote_path() -> None:
    assert RemotePath(RemotePath("a/b")) == RemotePath("a/b")


def test_name_parent_parts_suffix() -> None:
    path = RemotePath("a/b/c.tar.gz")
    assert path.name == "c.tar.gz"
    assert path.parent == RemotePath("a/b")
    assert path.parts == ("a", "b", "c.tar.gz")
    assert path.suffix == ".gz"
    assert path.as_posix() == "a/b/c.tar.gz"


def test_single_segment_has_no_parent() -> None:
    assert RemotePath("a").parent is None


def test_dotfile_has_no_suffix() -> None:
    assert RemotePath("x/.env").suffix == ""
    assert RemotePath("noext").suffix == ""


def test_root_sentinel() -> None:
    root = RemotePath.ROOT
    assert str(root) == "."
    assert root.name == ""
    assert root.parts == ()
    assert root.parent is None
    assert RemotePath.from_backend_path("") is root
    assert RemotePath.from_backend_path(".") is root
    assert RemotePath.from_backend_path("a/b") == RemotePath("a/b")


def test_div_operator_revalidates() -> None:
    assert RemotePath("a") / "b/c" == RemotePath("a/b/c")
    assert RemotePath("x") == RemotePath.ROOT / "x"
    assert RemotePath("a") / RemotePath("b") == RemotePath("a/b")
    with pytest.raises(InvalidPath):
        RemotePath("a") / ".."
    with pytest.raises(InvalidPath):
        RemotePath("a") / ""


def test_equality_and_hash_by_string() -> None:
    assert RemotePath("a/b") == "a/b"
    assert RemotePath("a/b") != "a/c"
    assert hash(RemotePath("a/b")) == hash("a/b")
    assert len({RemotePath("a/b"), RemotePath("/a//b/")}) == 1
    assert RemotePath("a") != 3


def test_ordering_and_repr_and_fspath() -> None:
    assert sorted([RemotePath("b"), RemotePath("a")]) == [RemotePath("a"), RemotePath("b")]
    assert repr(RemotePath("a/b")) == "RemotePath('a/b')"
    assert repr(RemotePath.ROOT) == "RemotePath('.')"
    import os

    assert os.fspath(RemotePath("a/b")) == "a/b"


def test_remote_path_is_immutable_and_picklable() -> None:
    path = RemotePath("a/b")
    with pytest.raises(AttributeError):
        path.other = 1  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(path)) == path
    assert pickle.loads(pickle.dumps(RemotePath.ROOT)) == RemotePath.ROOT
