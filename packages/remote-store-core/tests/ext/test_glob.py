"""ext.glob: the same matches whether the store globs natively or by listing."""

from __future__ import annotations

import pytest
from remote_store import Capability, InvalidPath, Store
from remote_store.errors import InvalidArgument
from remote_store.ext.glob import glob_files


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*.txt", ["a.txt"]),
        ("docs/*.md", ["docs/readme.md"]),
        ("docs/**/*.md", ["docs/guide/deep/x.md", "docs/guide/intro.md", "docs/readme.md"]),
        ("**/*.csv", ["data/2026/jan.csv"]),
        ("docs/guide/**", ["docs/guide/deep/x.md", "docs/guide/intro.md"]),
        ("data/20[0-9][0-9]/*.csv", ["data/2026/jan.csv"]),
        ("d?cs/readme.md", ["docs/readme.md"]),
        ("missing/*.md", []),
        ("docs/readme.md", ["docs/readme.md"]),
    ],
)
def test_matches(tree: Store, pattern: str, expected: list[str]) -> None:
    assert sorted(str(info.path) for info in glob_files(tree, pattern)) == expected


def test_memory_store_has_no_native_glob_but_local_does(store: Store) -> None:
    # the two fixtures exercise both code paths
    assert store.supports(Capability.GLOB) == (store.backend.name == "local")


def test_child_store_matches_relative_to_its_root(tree: Store) -> None:
    child = tree.child("docs")
    assert sorted(str(i.path) for i in glob_files(child, "**/*.md")) == [
        "guide/deep/x.md",
        "guide/intro.md",
        "readme.md",
    ]


@pytest.mark.parametrize("pattern", ["", "**x/*.md", "a/**b"])
def test_bad_patterns_raise_invalid_argument(tree: Store, pattern: str) -> None:
    with pytest.raises(InvalidArgument):
        glob_files(tree, pattern)


def test_dotdot_pattern_is_refused(tree: Store) -> None:
    with pytest.raises(InvalidPath):
        glob_files(tree, "../*.txt")
