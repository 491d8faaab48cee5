"""Rules of listings (``LIST``, ``GLOB``): content, order, depth and strictness."""

from __future__ import annotations

import pytest
from remote_store import Capability, FileInfo, FolderEntry, Store
from remote_store.errors import InvalidPath, NotFound

from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import FolderSemantics, Probe, Seed
from remote_store_conformance.suite._data import TREE

__all__ = ["ListingRules"]


def _paths(entries: object) -> list[str]:
    return [str(entry.path) for entry in entries]  # type: ignore[attr-defined]


class ListingRules:
    """Listings are complete, sorted (a folder as ``path/``) and empty for a missing folder."""

    @rule(Capability.LIST)
    def test_list_files_yields_the_direct_files(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert _paths(store.list_files("")) == ["a.txt", "b-x.txt", "b.txt", "b0.txt"]
        assert _paths(store.list_files("b")) == ["b/c.txt"]

    @rule(Capability.LIST)
    def test_list_files_recursive_yields_every_file_in_ascending_order(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        # "b-x.txt" < "b.txt" < "b/..." < "b0.txt": the folder b sorts as "b/"
        assert _paths(store.list_files("", recursive=True)) == sorted(TREE)
        assert _paths(store.list_files("b", recursive=True)) == [
            "b/c.txt",
            "b/d/e.txt",
            "b/d/f/g.txt",
        ]

    @rule(Capability.LIST)
    def test_list_files_max_depth_limits_the_levels(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert _paths(store.list_files("b", max_depth=0)) == ["b/c.txt"]
        assert _paths(store.list_files("b", max_depth=1)) == ["b/c.txt", "b/d/e.txt"]
        assert _paths(store.list_files("b", max_depth=2, recursive=False)) == [
            "b/c.txt",
            "b/d/e.txt",
            "b/d/f/g.txt",
        ]

    @rule(Capability.LIST)
    def test_list_files_yields_file_infos_below_the_path(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        infos = list(store.list_files("b/d", recursive=True))
        assert infos
        for info in infos:
            assert isinstance(info, FileInfo)
            assert str(info.path).startswith("b/d/")
            assert info.name == str(info.path).rpartition("/")[2]
            assert info.size == len(TREE[str(info.path)])

    @rule(Capability.LIST)
    def test_list_files_pattern_filters_basenames(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert _paths(store.list_files("", recursive=True, pattern="[eg].txt")) == [
            "b/d/e.txt",
            "b/d/f/g.txt",
        ]

    @rule(Capability.LIST)
    def test_list_files_of_a_missing_folder_is_empty(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert list(store.list_files("missing")) == []
        assert list(store.list_files("missing", recursive=True)) == []
        assert list(store.list_files("b/missing/deeper", recursive=True)) == []

    @rule(Capability.LIST)
    def test_list_files_below_a_file_is_empty(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert list(store.list_files("a.txt/inner", recursive=True)) == []

    @rule(Capability.LIST)
    def test_list_files_strict_raises_not_found_for_a_missing_folder(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        with pytest.raises(NotFound):
            list(store.list_files("missing", strict=True))
        assert _paths(store.list_files("b", strict=True)) == ["b/c.txt"]

    @rule(Capability.LIST)
    def test_list_folders_yields_the_immediate_folders_in_order(self, rs_seed: Seed) -> None:
        store = rs_seed({**TREE, "b/a-z/x.txt": b"x", "b/d0/x.txt": b"x"})
        folders = list(store.list_folders("b"))
        assert all(isinstance(entry, FolderEntry) for entry in folders)
        assert _paths(folders) == ["b/a-z", "b/d", "b/d0"]
        assert [entry.name for entry in folders] == ["a-z", "d", "d0"]
        assert _paths(store.list_folders("")) == ["b"]

    @rule(Capability.LIST)
    def test_list_folders_of_a_missing_folder_is_empty(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert list(store.list_folders("missing")) == []

    @rule(Capability.LIST)
    def test_iter_children_yields_files_and_folders_in_order(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        children = list(store.iter_children(""))
        assert _paths(children) == ["a.txt", "b-x.txt", "b.txt", "b", "b0.txt"]
        kinds = {str(c.path): isinstance(c, FolderEntry) for c in children}
        assert kinds["b"] is True
        assert kinds["b.txt"] is False

    @rule(Capability.LIST)
    def test_iter_children_of_a_missing_folder_is_empty(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert list(store.iter_children("missing")) == []

    @rule(Capability.LIST, Capability.WRITE, Capability.DELETE)
    def test_iter_children_of_an_empty_folder_is_empty(
        self, rs_store: Store, rs_folders: FolderSemantics
    ) -> None:
        if not rs_folders.keeps_empty_folders:
            pytest.skip("flat namespace: an empty folder cannot exist")
        rs_store.write("hollow/x.txt", b"x")
        rs_store.delete("hollow/x.txt")
        assert list(rs_store.iter_children("hollow")) == []
        assert list(rs_store.list_files("hollow", recursive=True)) == []

    @rule(Capability.GLOB)
    def test_glob_yields_matching_file_infos(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        found = list(store.glob("b*.txt"))
        assert all(isinstance(info, FileInfo) for info in found)
        assert _paths(found) == ["b-x.txt", "b.txt", "b0.txt"]

    @rule(Capability.GLOB)
    def test_glob_double_star_matches_nested_files(self, rs_seed: Seed) -> None:
        store = rs_seed(TREE)
        assert _paths(store.glob("b/**/*.txt")) == ["b/c.txt", "b/d/e.txt", "b/d/f/g.txt"]
        assert _paths(store.glob("b/d/?.txt")) == ["b/d/e.txt"]

    @rule(Capability.GLOB)
    def test_glob_results_come_in_ascending_path_order(self, rs_seed: Seed) -> None:
        files = {f"g/{name}": b"x" for name in ("z.txt", "a.txt", "m/k.txt", "b-x.txt", "b.txt")}
        store = rs_seed({**TREE, **files})
        assert _paths(store.glob("g/**/*.txt")) == sorted(files)
        assert _paths(store.glob("**/*.txt")) == sorted({**TREE, **files})

    # -- folder semantics: declared by the backend, checked here -----------------------

    @rule(Capability.LIST)
    def test_every_listed_folder_exists_and_is_a_folder(
        self, rs_seed: Seed, rs_probe: Probe
    ) -> None:
        store = rs_seed(TREE)
        seen: list[str] = []

        def walk(folder: str) -> None:
            listed = _paths(store.list_folders(folder))
            children = [e for e in store.iter_children(folder) if isinstance(e, FolderEntry)]
            assert _paths(children) == listed, "iter_children and list_folders disagree"
            for path in listed:
                seen.append(path)
                assert store.exists(path), f"the listed folder {path!r} does not exist"
                assert store.is_folder(path), f"the listed folder {path!r} is not a folder"
                assert not store.is_file(path), f"the listed folder {path!r} is a file"
                walk(path)

        walk("")
        assert seen == ["b", "b/d", "b/d/f"]
        rs_probe("listed_folders_exist", True)

    @rule(Capability.LIST, Capability.WRITE, Capability.DELETE)
    def test_an_emptied_folder_is_kept_exactly_when_declared(
        self, rs_store: Store, rs_folders: FolderSemantics, rs_probe: Probe
    ) -> None:
        rs_store.write("hollow/inner/x.txt", b"x")
        rs_store.delete("hollow/inner/x.txt")
        observed = {
            "listed": _paths(rs_store.list_folders("hollow")) == ["hollow/inner"],
            "exists": rs_store.exists("hollow/inner"),
            "is_folder": rs_store.is_folder("hollow/inner"),
        }
        rs_probe("empty_folder_kept", observed)
        kept = rs_folders.keeps_empty_folders
        assert observed == dict.fromkeys(observed, kept), (
            f"the backend declares keeps_empty_folders={kept}; an emptied folder: {observed}"
        )

    @rule(Capability.WRITE, Capability.LIST)
    def test_a_write_below_a_file_is_refused_exactly_when_declared(
        self, rs_store: Store, rs_folders: FolderSemantics, rs_probe: Probe
    ) -> None:
        rs_store.write("plain.txt", b"x")
        try:
            rs_store.write("plain.txt/child.txt", b"y")
        except InvalidPath:
            refused = True
        else:
            refused = False
        rs_probe("write_below_a_file_refused", refused)
        declared = rs_folders.rejects_file_ancestors
        assert refused is declared, (
            f"the backend declares rejects_file_ancestors={declared}; the write was "
            + ("refused" if refused else "accepted")
        )
        assert rs_store.is_file("plain.txt")
