"""Rules of file names: what is written is listed and read back under the same name."""

from __future__ import annotations

import unicodedata

from remote_store import Capability, FolderEntry

from remote_store_conformance._markers import rule
from remote_store_conformance.suite._base import Seed

__all__ = ["NAMES", "NameRules"]

#: Names a portable backend keeps apart and returns exactly as written: case variants,
#: the NFC and NFD spellings of one text (keys are never normalised), non-ASCII text and
#: characters a URL, a shell or a glob would treat specially.
NAMES: tuple[str, ...] = (
    "Case.txt",
    "case.txt",
    "CASE.TXT",
    unicodedata.normalize("NFC", "café.txt"),
    unicodedata.normalize("NFD", "café.txt"),
    "日本語のファイル.txt",
    "Ωmega ünïcode.txt",
    "emoji-\U0001f600.txt",
    "space in name.txt",
    "percent%20encoded.txt",
    "plus+sign.txt",
    "hash#mark.txt",
    "question?mark.txt",
    "amp&semi;colon.txt",
    "brackets[1](2){3}.txt",
    "quote'double\".txt",
    "at@dollar$tilde~.txt",
    "equals=comma,.txt",
)
#: A folder whose own name needs the same care.
FOLDER = "names/dïr ü%2F #1"


def _content(name: str) -> bytes:
    return f"content of {name!r}".encode()


class NameRules:
    """Case, Unicode form and special characters survive write -> list -> read."""

    @rule(Capability.LIST, Capability.READ)
    def test_special_names_are_listed_and_read_exactly_as_written(self, rs_seed: Seed) -> None:
        files = {f"{FOLDER}/{name}": _content(name) for name in NAMES}
        store = rs_seed(files)
        listed = [str(info.path) for info in store.list_files(FOLDER)]
        assert listed == sorted(files), f"listed {listed!r}"
        assert [str(i.path) for i in store.list_files("", recursive=True)] == sorted(files)
        for path, data in files.items():
            assert store.read_bytes(path) == data, f"{path!r} read back other content"
        assert [info.name for info in store.list_files(FOLDER)] == sorted(NAMES)

    @rule(Capability.LIST)
    def test_a_folder_with_special_characters_is_listed_by_its_name(self, rs_seed: Seed) -> None:
        store = rs_seed({f"{FOLDER}/{NAMES[0]}": b"x"})
        folders = list(store.list_folders("names"))
        assert [str(entry.path) for entry in folders] == [FOLDER]
        assert all(isinstance(entry, FolderEntry) for entry in folders)
        assert [entry.name for entry in folders] == [FOLDER.rpartition("/")[2]]
        assert store.is_folder(FOLDER)
