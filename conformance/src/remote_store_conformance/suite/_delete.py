"""Rules of deletion (``DELETE``): files and folders."""

from __future__ import annotations

import pytest
from remote_store import Capability, Store
from remote_store.errors import DirectoryNotEmpty, InvalidPath, NotFound

from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import FolderSemantics
from remote_store_conformance.suite._data import TREE

__all__ = ["DeleteRules"]


class DeleteRules:
    """Deletes remove exactly what they name, with typed errors otherwise."""

    @pytest.fixture
    def tree(self, rs_store: Store) -> Store:
        """The sample tree written through the store."""
        for path, content in TREE.items():
            rs_store.write(path, content)
        return rs_store

    @rule(Capability.DELETE, Capability.WRITE)
    def test_delete_removes_the_file_and_keeps_its_siblings(self, tree: Store) -> None:
        tree.delete("b/c.txt")
        assert not tree.is_file("b/c.txt")
        assert tree.is_file("b/d/e.txt")
        assert tree.is_file("b.txt")

    @rule(Capability.DELETE, Capability.WRITE)
    def test_delete_of_a_missing_file_raises_not_found_unless_missing_ok(self, tree: Store) -> None:
        with pytest.raises(NotFound):
            tree.delete("b/missing.txt")
        tree.delete("b/missing.txt", missing_ok=True)
        assert tree.is_file("b/c.txt")

    @rule(Capability.DELETE, Capability.WRITE)
    def test_delete_of_a_folder_raises_invalid_path_even_with_missing_ok(
        self, tree: Store, rs_folders: FolderSemantics
    ) -> None:
        if rs_folders.keeps_empty_folders:
            with pytest.raises(InvalidPath):
                tree.delete("b/d")
            with pytest.raises(InvalidPath):
                tree.delete("b/d", missing_ok=True)
        else:  # a flat store has no object there: NotFound, silenced by missing_ok
            with pytest.raises((InvalidPath, NotFound)):
                tree.delete("b/d")
        assert tree.is_file("b/d/e.txt")

    @rule(Capability.DELETE, Capability.WRITE)
    def test_delete_folder_of_a_file_raises_invalid_path(self, tree: Store) -> None:
        with pytest.raises(InvalidPath):
            tree.delete_folder("b/c.txt")
        assert tree.is_file("b/c.txt")

    @rule(Capability.DELETE, Capability.WRITE)
    def test_delete_folder_refuses_a_non_empty_folder_unless_recursive(self, tree: Store) -> None:
        with pytest.raises(DirectoryNotEmpty):
            tree.delete_folder("b/d")
        assert tree.is_file("b/d/f/g.txt")

    @rule(Capability.DELETE, Capability.WRITE)
    def test_delete_folder_recursive_leaves_no_child(self, tree: Store) -> None:
        tree.delete_folder("b", recursive=True)
        assert not tree.exists("b")
        assert not tree.is_file("b/d/f/g.txt")
        assert tree.is_file("b.txt") and tree.is_file("b0.txt") and tree.is_file("b-x.txt")

    @rule(Capability.DELETE, Capability.WRITE)
    def test_delete_folder_of_a_missing_folder_raises_not_found_unless_missing_ok(
        self, tree: Store
    ) -> None:
        with pytest.raises(NotFound):
            tree.delete_folder("nowhere")
        tree.delete_folder("nowhere", missing_ok=True)
        assert not tree.exists("nowhere")

    @rule(Capability.DELETE, Capability.WRITE)
    def test_delete_folder_removes_an_empty_folder(
        self, rs_store: Store, rs_folders: FolderSemantics
    ) -> None:
        if not rs_folders.keeps_empty_folders:
            pytest.skip("flat namespace: folders vanish with their last file")
        rs_store.write("hollow/only.txt", b"x")
        rs_store.delete("hollow/only.txt")
        assert rs_store.is_folder("hollow")
        rs_store.delete_folder("hollow")
        assert not rs_store.exists("hollow")

    @rule(None)
    def test_delete_folder_refuses_the_store_root(self, rs_store: Store) -> None:
        for root in ("", "."):
            with pytest.raises(InvalidPath):
                rs_store.delete_folder(root, recursive=True)
