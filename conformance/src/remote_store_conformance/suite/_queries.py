"""Rules of the ungated queries: ``exists``, ``is_file``, ``is_folder``."""

from __future__ import annotations

from remote_store import Capability, Store

from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import FolderSemantics, Seed
from remote_store_conformance.suite._data import TREE

__all__ = ["QueryRules"]


class QueryRules:
    """Existence and type queries never raise for a missing path."""

    @rule(None)
    def test_exists_is_false_for_a_missing_path(self, rs_store: Store) -> None:
        assert rs_store.exists("missing.txt") is False
        assert rs_store.is_file("missing.txt") is False
        assert rs_store.is_folder("missing") is False

    @rule(None, Capability.LIST)  # folders are observable only by listing
    def test_root_exists_and_is_a_folder(self, rs_store: Store) -> None:
        assert rs_store.exists("") is True
        assert rs_store.is_folder("") is True
        assert rs_store.is_file("") is False

    @rule(None, Capability.LIST)  # folders are observable only by listing
    def test_exists_is_true_for_a_file_and_its_folders(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert store.exists("b/d/e.txt")
        assert store.exists("b/d")
        assert store.exists("b")

    @rule(None, Capability.LIST)  # folders are observable only by listing
    def test_is_file_and_is_folder_tell_files_from_folders(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert store.is_file("b/c.txt") and not store.is_folder("b/c.txt")
        assert store.is_folder("b/d") and not store.is_file("b/d")

    @rule(None)
    def test_queries_return_false_below_a_file(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert store.exists("a.txt/inner") is False
        assert store.is_file("a.txt/inner") is False
        assert store.is_folder("a.txt/inner") is False

    @rule(None)
    def test_queries_are_exact_not_prefix_matches(
        self, rs_seed: Seed, rs_folders: FolderSemantics
    ) -> None:
        store = rs_seed(TREE)
        assert store.exists("b/d/e") is False
        assert store.is_folder("b/d/f/g") is False
        assert store.is_file("b0") is False
