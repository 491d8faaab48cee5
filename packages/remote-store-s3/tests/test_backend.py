"""The s3 backend against moto over HTTP: reads, writes, listings, errors, lifecycle."""

from __future__ import annotations

import io
import threading
from typing import Any, BinaryIO, cast

import pytest
from remote_store import Capability, Store
from remote_store.errors import (
    AlreadyExists,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PreconditionFailed,
)
from remote_store_s3 import S3Backend

MIB = 1024 * 1024


def keys(entries: object) -> list[str]:
    return [str(e.path) for e in entries]  # type: ignore[attr-defined]


def test_write_read_roundtrip_and_native_result(store: Store) -> None:
    result = store.write("a/b.txt", b"hello", metadata={"owner": "me"})
    assert result.source == "native"
    assert result.size == 5
    assert result.etag and result.last_modified is not None
    info = store.get_file_info("a/b.txt")
    assert info.etag == result.etag
    assert info.size == 5
    assert info.metadata == {"owner": "me"}
    assert result.digest is None or result.digest == info.digest
    assert store.read_bytes("a/b.txt") == b"hello"
    with store.read("a/b.txt") as stream:
        assert stream.read(2) == b"he"
        assert stream.read() == b"llo"
        assert stream.read() == b""


def test_overwrite_false_refuses_existing(store: Store) -> None:
    store.write("x", b"1")
    with pytest.raises(AlreadyExists):
        store.write("x", b"2")
    with pytest.raises(AlreadyExists):
        store.write("x", io.BytesIO(b"2"))
    store.write("x", b"3", overwrite=True)
    assert store.read_bytes("x") == b"3"


def test_if_match_replaces_only_the_expected_version(backend: S3Backend) -> None:
    first = backend.write("k", b"one")
    assert first.etag
    backend.write("k", b"two", if_match=first.etag)
    with pytest.raises(PreconditionFailed):
        backend.write("k", b"three", if_match=first.etag)
    assert backend.read_bytes("k") == b"two"


def test_if_match_holds_for_a_multipart_stream(store: Store) -> None:
    # a stream over one part goes multipart: the condition rides on the completion
    data = bytes(range(256)) * (28 * 1024)  # 7 MiB: two parts
    first = store.write("k", b"one")
    assert first.etag
    store.write("k", b"two", overwrite=True)  # the version the caller saw is gone
    with pytest.raises(PreconditionFailed):
        store.write("k", io.BytesIO(data), overwrite=True, if_match=first.etag)
    assert store.read_bytes("k") == b"two"
    with pytest.raises(PreconditionFailed):
        store.write("missing", io.BytesIO(data), overwrite=True, if_match=first.etag)
    assert not store.exists("missing")
    current = store.get_file_info("k").etag
    assert current
    result = store.write("k", io.BytesIO(data), overwrite=True, if_match=current)
    assert result.size == len(data) and store.read_bytes("k") == data


def test_stream_is_read_from_its_position_and_multipart_above_one_part(store: Store) -> None:
    data = bytes(range(256)) * (36 * 1024)  # 9 MiB: two parts
    source = io.BytesIO(b"skip" + data)
    source.read(4)
    result = store.write("big.bin", source)
    assert result.size == len(data)
    assert store.get_file_info("big.bin").size == len(data)
    assert store.read_bytes("big.bin") == data


def test_failing_stream_keeps_the_old_object_and_leaves_no_upload(
    store: Store, backend: S3Backend
) -> None:
    store.write("f", b"old")

    class Broken(io.RawIOBase):
        sent = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            if self.sent > 10 * MIB:
                raise OSError("source failed")
            self.sent += len(buffer)
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    with pytest.raises(Exception):
        store.write("f", cast(BinaryIO, Broken()), overwrite=True)
    with pytest.raises(Exception):
        store.write("new", cast(BinaryIO, Broken()))
    assert store.read_bytes("f") == b"old"
    assert not store.exists("new")
    uploads = backend._run(None, lambda c: c.list_multipart_uploads(Bucket=backend._bucket))
    assert not uploads.get("Uploads")


def test_open_atomic_commits_on_exit_and_aborts_on_error(store: Store, backend: S3Backend) -> None:
    store.write("t", b"old")
    with pytest.raises(RuntimeError):
        with store.open_atomic("t", overwrite=True) as sink:
            sink.write(b"y" * (9 * MIB))
            raise RuntimeError("boom")
    assert store.read_bytes("t") == b"old"
    context = store.open_atomic("t", overwrite=True)
    with context as sink:
        for _ in range(10):
            sink.write(b"z" * MIB)
    assert context.result is not None and context.result.size == 10 * MIB
    assert store.get_file_info("t").size == 10 * MIB
    uploads = backend._run(None, lambda c: c.list_multipart_uploads(Bucket=backend._bucket))
    assert not uploads.get("Uploads")


def test_open_atomic_create_only_refuses_a_key_written_meanwhile(store: Store) -> None:
    with pytest.raises(AlreadyExists):
        with store.open_atomic("race") as sink:
            sink.write(b"mine")
            store.write("race", b"theirs")
    assert store.read_bytes("race") == b"theirs"


def test_read_seekable_uses_ranges(store: Store) -> None:
    store.write("s", bytes(range(200)))
    with store.read_seekable("s") as stream:
        assert stream.seekable()
        stream.seek(150)
        assert stream.read(3) == bytes([150, 151, 152])
        stream.seek(-2, io.SEEK_END)
        assert stream.read() == bytes([198, 199])
        stream.seek(0)
        assert stream.read(2) == b"\x00\x01"


def test_missing_and_folder_errors(store: Store) -> None:
    store.write("d/f", b"1")
    with pytest.raises(NotFound):
        store.read("nope")
    with pytest.raises(NotFound):
        store.read_bytes("nope")
    with pytest.raises(NotFound):
        store.get_file_info("nope")
    with pytest.raises(InvalidPath):
        store.get_file_info("d")
    with pytest.raises(InvalidPath):
        store.delete("d", missing_ok=True)
    with pytest.raises(NotFound):
        store.delete("nope")
    store.delete("nope", missing_ok=True)
    with pytest.raises(InvalidPath):
        store.delete_folder("d/f")
    with pytest.raises(DirectoryNotEmpty):
        store.delete_folder("d")
    with pytest.raises(NotFound):
        store.delete_folder("empty")
    store.delete_folder("d", recursive=True)
    assert not store.exists("d")


def test_exists_file_folder_sibling(store: Store) -> None:
    store.write("data.csv", b"1")
    store.write("data/x", b"2")
    store.write("only.csv", b"3")
    assert store.exists("data")  # a sibling "data.csv" sorts before "data/"
    assert store.exists("data.csv")
    assert store.exists("data/x")
    assert not store.exists("only")
    assert not store.exists("data/x/y")
    assert store.is_folder("data") and not store.is_file("data")
    assert store.is_file("data.csv") and not store.is_folder("data.csv")


def test_listings_are_sorted_and_scoped(store: Store) -> None:
    for key in ["a.txt", "a/b.txt", "a/c/d.txt", "a-b/e.txt", "z.txt", "a/c/e/f.txt"]:
        store.write(key, key.encode())
    assert keys(store.list_files("", recursive=True)) == sorted(
        ["a.txt", "a/b.txt", "a/c/d.txt", "a-b/e.txt", "z.txt", "a/c/e/f.txt"],
        key=lambda k: k,
    )
    assert keys(store.list_files("")) == ["a.txt", "z.txt"]
    assert keys(store.list_files("a", max_depth=1)) == ["a/b.txt", "a/c/d.txt"]
    assert keys(store.list_folders("")) == ["a-b", "a"]  # "a-b/" sorts before "a/"
    assert keys(store.iter_children("")) == ["a-b", "a.txt", "a", "z.txt"]
    assert keys(store.glob("a/**/*.txt")) == ["a/b.txt", "a/c/d.txt", "a/c/e/f.txt"]
    assert list(store.list_files("missing", recursive=True)) == []
    info = store.get_folder_info("a")
    assert (info.file_count, info.total_size) == (3, len(b"a/b.txta/c/d.txta/c/e/f.txt"))
    with pytest.raises(NotFound):
        store.get_folder_info("missing")


def test_listing_paginates(store: Store, backend: S3Backend) -> None:
    for i in range(25):
        store.write(f"p/{i:03}", b"")
    import remote_store_s3._backend as module

    pages = list(backend._pages("p", Prefix="p/", MaxKeys=10))
    assert len(pages) == 3
    assert keys(store.list_files("p", recursive=True)) == [f"p/{i:03}" for i in range(25)]
    assert module is not None


def test_copy_and_move_keep_metadata(store: Store) -> None:
    store.write("src", b"data", metadata={"k": "v"})
    store.copy("src", "dst")
    assert store.get_file_info("dst").metadata == {"k": "v"}
    with pytest.raises(AlreadyExists):
        store.copy("src", "dst")
    store.move("src", "moved")
    assert not store.exists("src")
    assert store.read_bytes("moved") == b"data"
    with pytest.raises(NotFound):
        store.move("src", "again")


def test_copy_over_the_copy_object_limit_goes_in_parts(
    store: Store, backend: S3Backend, moto: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from remote_store_s3 import _common, _writes

    data = bytes(range(256)) * (11 * MIB // 256)
    store.write("big", data, metadata={"k": "v"})
    # scale the 5 GiB limit and the 320 MiB step down: 5 MiB parts, so 3 parts for 11 MiB
    monkeypatch.setattr(_common, "COPY_OBJECT_LIMIT", MIB)
    monkeypatch.setattr(_writes, "PART_SIZE", 5 * MIB // 64)
    before = len(moto.log.requests(bucket))
    store.copy("big", "copied")
    seen = moto.log.requests(bucket)[before:]
    assert sum("partNumber=" in line for line in seen) == 3, seen
    assert not any(f"PUT /{bucket}/copied HTTP" in line for line in seen)  # no CopyObject
    assert store.read_bytes("copied") == data
    assert store.get_file_info("copied").metadata == {"k": "v"}
    uploads = backend._run(None, lambda c: c.list_multipart_uploads(Bucket=backend._bucket))
    assert not uploads.get("Uploads")


def test_batch_delete_uses_delete_objects(store: Store, moto: object, bucket: str) -> None:
    from remote_store.ext.batch import batch_delete

    for i in range(5):
        store.write(f"b/{i}", b"x")
    result = batch_delete(store, [f"b/{i}" for i in range(5)] + ["b/missing", "b"])
    assert sorted(result.succeeded) == [f"b/{i}" for i in range(5)]
    assert isinstance(result.failed["b/missing"], NotFound)
    assert not store.exists("b")
    posts = [line for line in moto.log.requests(bucket) if "?delete" in line]  # type: ignore[attr-defined]
    assert len(posts) == 1


def test_reject_write_under_file_ancestor(moto: object, bucket: str) -> None:
    backend = moto.backend(bucket, reject_write_under_file_ancestor=True)  # type: ignore[attr-defined]
    with Store(backend) as store:
        store.write("a", b"file")
        with pytest.raises(InvalidPath):
            store.write("a/b/c", b"x")
        store.write("x/y", b"ok")


def test_capabilities_and_repr_hide_secrets(moto: object) -> None:
    backend = S3Backend(
        bucket="b", endpoint_url="http://u:pw@127.0.0.1:1", key="AKID", secret="SEKRIT"
    )
    text = repr(backend)
    assert "SEKRIT" not in text and "AKID" not in text and "pw" not in text
    assert Capability.EXCLUSIVE_CREATE in backend.capabilities
    assert Capability.ATOMIC_MOVE not in backend.capabilities
    plan = backend.resolve("k")
    assert plan.details["object_key"] == "k" and "pw" not in str(plan.details["endpoint_url"])
    assert backend.to_key(backend.native_path("a/b")) == "a/b"


def test_close_releases_the_client_and_reconnects(store: Store, backend: S3Backend) -> None:
    store.write("c", b"1")
    client = backend._client
    backend.close()
    assert backend._client is None
    assert client._endpoint.http_session._sessions in (None, {}) or all(
        s.closed for s in client._endpoint.http_session._sessions.values()
    )
    assert store.read_bytes("c") == b"1"


def test_threads_share_one_backend(store: Store) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                store.write(f"t{n}/{i}", bytes([n, i]))
                assert store.read_bytes(f"t{n}/{i}") == bytes([n, i])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(list(store.list_files("", recursive=True))) == 60


def test_unwrap_gives_s3fs(store: Store) -> None:
    import s3fs

    store.write("u", b"1")
    fs = store.unwrap(s3fs.S3FileSystem)
    assert isinstance(fs, s3fs.S3FileSystem)
