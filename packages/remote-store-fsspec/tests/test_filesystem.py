"""The bridge's own rules: URLs and profiles, atomic writes, ranged reads, errors, pickles
and tokens."""

from __future__ import annotations

import pickle
from pathlib import Path

import fsspec
import pytest
from remote_store import Store
from remote_store.aio import AsyncMemoryBackend, AsyncStore
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.errors import ConfigError, InvalidArgument
from remote_store_fsspec import CONFIG_VARIABLE, StoreFileSystem

CONFIG = """
[backends.disk]
type = "local"
options = {{ root = "{root}" }}

[stores.lake]
backend = "disk"
root = "lake"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    root = tmp_path / "disk"
    (root / "lake" / "raw").mkdir(parents=True)
    (root / "lake" / "raw" / "a.csv").write_text("x,y\n1,2\n")
    path = tmp_path / "stores.toml"
    path.write_text(CONFIG.format(root=root))
    return path


def test_protocol_is_registered_through_the_entry_point() -> None:
    assert fsspec.get_filesystem_class("remote-store") is StoreFileSystem


def test_url_resolves_profile_through_config_option(config_file: Path) -> None:
    with fsspec.open("remote-store://lake/raw/a.csv", "rb", config=str(config_file)) as f:
        assert f.read() == b"x,y\n1,2\n"
    fs, path = fsspec.url_to_fs("remote-store://lake/raw/a.csv", config=str(config_file))
    assert isinstance(fs, StoreFileSystem) and path == "raw/a.csv" and fs.profile == "lake"
    assert fs.unstrip_protocol(path) == "remote-store://lake/raw/a.csv"


def test_url_resolves_profile_through_environment(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_VARIABLE, str(config_file))
    assert fsspec.filesystem("remote-store", profile="lake").cat("raw/a.csv") == b"x,y\n1,2\n"


def test_missing_config_and_unknown_profile_are_typed(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONFIG_VARIABLE, raising=False)
    with pytest.raises(ConfigError, match="REMOTE_STORE_CONFIG"):
        fsspec.open("remote-store://lake/a.csv").open()
    with pytest.raises(KeyError, match="available stores: lake"):
        StoreFileSystem(profile="nope", config=str(config_file))
    with pytest.raises(InvalidArgument):
        StoreFileSystem()
    with pytest.raises(InvalidArgument):
        StoreFileSystem("not a store")  # type: ignore[arg-type]


def test_write_is_invisible_until_close_and_abandoned_on_error() -> None:
    fs = StoreFileSystem(Store(MemoryBackend()))
    f = fs.open("out/data.bin", "wb")
    f.write(b"partial")
    assert not fs.exists("out/data.bin")
    f.close()
    assert fs.cat("out/data.bin") == b"partial"
    with pytest.raises(RuntimeError), fs.open("out/data.bin", "wb") as g:
        g.write(b"new content that must not land")
        raise RuntimeError("boom")
    assert fs.cat("out/data.bin") == b"partial"
    lost = fs.open("out/lost.bin", "wb")
    lost.write(b"never closed")
    del lost
    assert not fs.exists("out/lost.bin")


def test_exclusive_mode_and_errors_map_to_builtins(tmp_path: Path) -> None:
    fs = StoreFileSystem(Store(LocalBackend(str(tmp_path))))
    fs.pipe("a/b.txt", b"1")
    with pytest.raises(FileExistsError):
        fs.open("a/b.txt", "xb").close()
    with pytest.raises(FileNotFoundError):
        fs.cat("a/missing.txt")
    with pytest.raises(FileNotFoundError):
        fs.info("nowhere")
    with pytest.raises(FileNotFoundError):
        fs.ls("nowhere")
    with pytest.raises(IsADirectoryError):
        fs.open("a", "rb")
    with pytest.raises(ValueError):
        fs.cat("../escape.txt")
    with pytest.raises(NotImplementedError):
        fs.open("a/b.txt", "ab")
    with pytest.raises(OSError):
        fs.rmdir("a")  # not empty
    assert fs.cat("a/b.txt") == b"1"


def test_ranged_reads() -> None:
    fs = StoreFileSystem(Store(MemoryBackend()), block_size=4)
    fs.pipe("f.bin", bytes(range(100)))
    assert fs.cat_file("f.bin", 10, 20) == bytes(range(10, 20))
    assert fs.cat_file("f.bin", -5) == bytes(range(95, 100))
    assert fs.cat_file("f.bin", 90, 1000) == bytes(range(90, 100))
    assert fs.cat_file("f.bin", 50, 40) == b""
    with fs.open("f.bin", "rb") as f:
        f.seek(-3, 2)
        assert f.read() == bytes([97, 98, 99])
        f.seek(7)
        assert f.read(3) == bytes([7, 8, 9])


def test_listing_find_glob_and_folders() -> None:
    fs = StoreFileSystem(Store(MemoryBackend()))
    for name in ("d/a.csv", "d/b.csv", "d/sub/c.csv", "e.txt"):
        fs.pipe(name, b"x")
    assert fs.ls("", detail=False) == ["d", "e.txt"]
    assert fs.find("d") == ["d/a.csv", "d/b.csv", "d/sub/c.csv"]
    assert fs.find("d", maxdepth=1) == ["d/a.csv", "d/b.csv"]
    assert fs.glob("d/*.csv") == ["d/a.csv", "d/b.csv"]
    assert fs.glob("**/*.csv") == ["d/a.csv", "d/b.csv", "d/sub/c.csv"]
    assert fs.isdir("d/sub") and fs.isfile("e.txt") and fs.size("d/a.csv") == 1
    fs.rm("d/sub", recursive=True)
    assert not fs.exists("d/sub")  # an emptied folder is gone, on every backend alike
    fs.mv("e.txt", "d/e.txt")
    assert fs.find("") == ["d/a.csv", "d/b.csv", "d/e.txt"]
    assert fs.modified("d/a.csv") is not None


def test_async_store_is_served_through_the_bridge() -> None:
    fs = StoreFileSystem(AsyncStore(AsyncMemoryBackend()))
    fs.pipe("x.txt", b"async")
    assert fs.cat("x.txt") == b"async"


def test_filesystem_pickles_and_tokenizes_deterministically(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cloudpickle
    from dask.base import tokenize

    one = StoreFileSystem(profile="lake", config=str(config_file))
    two = StoreFileSystem(profile="lake", config=str(config_file))
    assert tokenize(one) == tokenize(two) and one == two
    assert tokenize(one.store) == tokenize(two.store)
    copy = pickle.loads(pickle.dumps(one))
    assert copy.cat("raw/a.csv") == b"x,y\n1,2\n" and copy == one
    assert cloudpickle.loads(cloudpickle.dumps(one)).cat("raw/a.csv") == b"x,y\n1,2\n"
    other = StoreFileSystem(Store(MemoryBackend()))
    assert tokenize(other) != tokenize(StoreFileSystem(Store(MemoryBackend())))


def test_store_bound_filesystem_pickles_its_store(tmp_path: Path) -> None:
    fs = StoreFileSystem(Store(LocalBackend(str(tmp_path)), "sub"))
    fs.pipe("k.txt", b"kept")
    copy = pickle.loads(pickle.dumps(fs))
    assert copy.cat("k.txt") == b"kept" and copy.store.root_path == "sub"


def test_listed_entries_serve_info_until_a_write_through_the_filesystem() -> None:
    store = Store(MemoryBackend())
    fs = StoreFileSystem(store)
    fs.pipe("a.bin", b"1")
    assert fs.find("", detail=True)["a.bin"]["size"] == 1
    fs.pipe("a.bin", b"123")
    assert fs.info("a.bin")["size"] == 3 and fs.cat("a.bin") == b"123"
    fs.find("")
    with fs.open("a.bin", "wb") as f:
        f.write(b"12345")
    assert fs.info("a.bin")["size"] == 5
    fs.find("")
    fs.rm("a.bin")
    assert not fs.exists("a.bin")
    uncached = StoreFileSystem(store, listings_expiry=0)
    uncached.pipe("b.bin", b"x")
    uncached.find("")
    store.write("b.bin", b"changed outside", overwrite=True)
    assert uncached.info("b.bin")["size"] == len(b"changed outside")
