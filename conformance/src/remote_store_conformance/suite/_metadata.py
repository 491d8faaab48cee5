"""Rules of file and folder metadata (``METADATA``)."""

from __future__ import annotations

import pytest
from remote_store import Capability, FileInfo
from remote_store.errors import InvalidPath, NotFound

from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import FolderSemantics, Seed
from remote_store_conformance.suite._data import TREE

__all__ = ["MetadataRules"]


class MetadataRules:
    """File info, folder info and ``head``."""

    @rule(Capability.METADATA)
    def test_get_file_info_reports_name_and_size(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        info = store.get_file_info("b/d/e.txt")
        assert isinstance(info, FileInfo)
        assert str(info.path) == "b/d/e.txt"
        assert info.name == "e.txt"
        assert info.size == len(TREE["b/d/e.txt"])

    @rule(Capability.METADATA)
    def test_get_file_info_of_a_missing_file_raises_not_found(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        with pytest.raises(NotFound):
            store.get_file_info("missing.txt")

    @rule(Capability.METADATA, Capability.LIST)  # folders are observable only by listing
    def test_get_file_info_of_a_folder_raises_invalid_path(
        self, rs_seed: Seed, rs_folders: FolderSemantics
    ) -> None:
        store = rs_seed(TREE)
        expected = InvalidPath if rs_folders.keeps_empty_folders else (InvalidPath, NotFound)
        with pytest.raises(expected):
            store.get_file_info("b/d")

    @rule(Capability.METADATA, Capability.LIST)  # folders are observable only by listing
    def test_get_folder_info_counts_every_file_below(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        info = store.get_folder_info("b")
        below = [p for p in TREE if p.startswith("b/")]
        assert info.file_count == len(below)
        assert info.total_size == sum(len(TREE[p]) for p in below)
        root = store.get_folder_info("")
        assert root.file_count == len(TREE)

    @rule(Capability.METADATA)
    def test_get_folder_info_of_a_missing_folder_raises_not_found(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        with pytest.raises(NotFound):
            store.get_folder_info("missing")

    @rule(Capability.METADATA)
    def test_head_returns_a_sidecar_result_matching_file_info(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        head = store.head("a.txt")
        assert head.source == "sidecar"
        assert head.path == "a.txt"
        assert head.size == len(TREE["a.txt"])
