"""ext.transfer: streamed, atomic on the destination, WriteResult, progress."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from remote_store import AlreadyExists, NotFound, RemoteStoreError, Store, WriteResult
from remote_store.backends import MemoryBackend
from remote_store.errors import InvalidArgument, LocalFileExists
from remote_store.ext.transfer import LocalFileNotFound, download, transfer, upload

DATA = bytes(range(256)) * 12_000  # ~3 MB: several chunks


def test_upload_and_download_round_trip(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(DATA)
    progress: list[int] = []
    result = upload(store, source, "remote/in.bin", on_progress=progress.append)
    assert isinstance(result, WriteResult)
    assert (result.path, result.size) == ("remote/in.bin", len(DATA))
    assert sum(progress) == len(DATA) and len(progress) > 1
    target = tmp_path / "out" / "sub" / "out.bin"
    progress.clear()
    result = download(store, "remote/in.bin", target, on_progress=progress.append)
    assert target.read_bytes() == DATA
    assert result.size == len(DATA) and result.path == str(target)
    assert sum(progress) == len(DATA)
    assert sorted(os.listdir(target.parent)) == ["out.bin"]  # no temp file left behind


def test_download_refuses_existing_file_and_leaves_it(store: Store, tmp_path: Path) -> None:
    store.write("f.bin", b"new")
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(LocalFileExists) as info:
        download(store, "f.bin", target)
    assert isinstance(info.value, FileExistsError)
    assert isinstance(info.value, AlreadyExists)
    assert target.read_bytes() == b"old"
    download(store, "f.bin", target, overwrite=True)
    assert target.read_bytes() == b"new"


def test_failed_download_keeps_old_file_and_leaves_no_partial(
    flaky_store: Store, tmp_path: Path
) -> None:
    target = tmp_path / "a.bin"
    target.write_bytes(b"previous")
    with pytest.raises(RemoteStoreError):
        download(flaky_store, "broken/a.bin", target, overwrite=True)
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["a.bin"]
    fresh = tmp_path / "fresh.bin"
    with pytest.raises(RemoteStoreError):
        download(flaky_store, "broken/a.bin", fresh)
    assert not fresh.exists()


def test_download_missing_remote_creates_nothing(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        download(store, "missing.bin", tmp_path / "x" / "y.bin")
    assert not (tmp_path / "x").exists()


def test_upload_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(LocalFileNotFound) as info:
        upload(store, tmp_path / "missing.bin", "x.bin")
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, NotFound)
    with pytest.raises(InvalidArgument):
        upload(store, tmp_path, "x.bin")
    source = tmp_path / "in.bin"
    source.write_bytes(b"1")
    store.write("x.bin", b"old")
    with pytest.raises(AlreadyExists):
        upload(store, source, "x.bin")
    assert store.read_bytes("x.bin") == b"old"
    with pytest.raises(InvalidArgument):
        upload(store, source, "y.bin", on_progress="no")  # type: ignore[arg-type]


def test_transfer_between_stores(store: Store) -> None:
    other = Store(MemoryBackend())
    other.write("src/data.bin", DATA)
    progress: list[int] = []
    result = transfer(other, "src/data.bin", store, "dst/data.bin", on_progress=progress.append)
    assert store.read_bytes("dst/data.bin") == DATA
    assert result.size == len(DATA) and result.path == "dst/data.bin"
    assert sum(progress) == len(DATA)
    with pytest.raises(AlreadyExists):
        transfer(other, "src/data.bin", store, "dst/data.bin")
    other.write("src/data.bin", b"v2", overwrite=True)
    transfer(other, "src/data.bin", store, "dst/data.bin", overwrite=True)
    assert store.read_bytes("dst/data.bin") == b"v2"


def test_failed_transfer_keeps_destination(flaky_store: Store, store: Store) -> None:
    store.write("a.bin", b"keep me")
    with pytest.raises(RemoteStoreError):
        transfer(flaky_store, "broken/a.bin", store, "a.bin", overwrite=True)
    assert store.read_bytes("a.bin") == b"keep me"
    with pytest.raises(RemoteStoreError):
        transfer(flaky_store, "broken/b.bin", store, "b.bin")
    assert not store.exists("b.bin")
