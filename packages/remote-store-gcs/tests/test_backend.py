"""Behaviour beyond the kit: generations and conditional writes, resumable uploads,
pinned reads, copies, folder deletes, naming and health."""

from __future__ import annotations

import io
from typing import Any, BinaryIO, cast

import pytest
from remote_store import Store
from remote_store.backend import Capability
from remote_store.errors import (
    AlreadyExists,
    ConfigError,
    InvalidPath,
    NotFound,
    PreconditionFailed,
)
from remote_store_gcs import GCSBackend


def test_version_id_is_the_generation_and_changes_on_overwrite(backend: GCSBackend) -> None:
    first = backend.write("v.txt", b"one")
    info = backend.get_file_info("v.txt")
    assert first.version_id is not None and first.version_id.isdigit()
    assert info.version_id == first.version_id == str(info.extra["generation"])
    second = backend.write("v.txt", b"two", overwrite=True)
    assert second.version_id != first.version_id
    assert backend.get_file_info("v.txt").version_id == second.version_id
    assert info.digest is not None and info.digest.algorithm == "md5"
    assert info.digest.value == __import__("hashlib").md5(b"one").hexdigest()


def test_conditional_write_replaces_only_the_expected_generation(backend: GCSBackend) -> None:
    first = backend.write("c.txt", b"one")
    assert first.version_id is not None
    second = backend.write("c.txt", b"two", if_generation_match=int(first.version_id))
    with pytest.raises(PreconditionFailed):  # a stale generation: another writer came first
        backend.write("c.txt", b"three", if_generation_match=int(first.version_id))
    assert backend.read_bytes("c.txt") == b"two"
    assert second.version_id == backend.get_file_info("c.txt").version_id
    with pytest.raises(PreconditionFailed):  # 0 means "only if absent"
        backend.write("c.txt", b"four", if_generation_match=0)
    backend.write("new.txt", b"x", if_generation_match=0)
    assert backend.read_bytes("new.txt") == b"x"


def _small_chunks(emulator: Any, bucket: str) -> GCSBackend:
    backend: GCSBackend = emulator.backend(bucket, chunk_size=256 * 1024)
    return backend


def test_a_stream_over_one_chunk_is_a_resumable_upload(emulator: Any, bucket: str) -> None:
    backend = _small_chunks(emulator, bucket)
    data = bytes(range(256)) * 4096 + b"tail"  # 1 MiB + 4 bytes: four full chunks and a rest
    mark = emulator.mark()
    result = backend.write("big.bin", io.BytesIO(data), metadata={"k": "v"})
    seen = emulator.since(mark, bucket)
    methods = [m for m, _, _ in seen]
    # the early existence check (404), the session, four full chunks and the final one
    assert methods == ["GET", "POST", "PUT", "PUT", "PUT", "PUT", "PUT"], seen
    assert seen[0][2] == 404
    assert "uploadType=resumable" in seen[1][1] and "ifGenerationMatch=0" in seen[1][1]
    assert [status for _, _, status in seen[2:]] == [308, 308, 308, 308, 200]
    assert result.size == len(data)
    assert backend.read_bytes("big.bin") == data
    info = backend.get_file_info("big.bin")
    assert info.size == len(data) and dict(info.metadata or {}) == {"k": "v"}
    assert result.version_id == info.version_id


def test_a_create_only_stream_over_one_chunk_refuses_an_existing_file(
    emulator: Any, bucket: str
) -> None:
    backend = _small_chunks(emulator, bucket)
    backend.write("big.bin", b"old")
    mark = emulator.mark()
    with pytest.raises(AlreadyExists):
        backend.write("big.bin", io.BytesIO(b"n" * (600 * 1024)))
    # refused before any upload session was opened
    assert [m for m, _, _ in emulator.since(mark, bucket)] == ["GET"]
    assert backend.read_bytes("big.bin") == b"old"


def test_open_atomic_commits_on_exit_and_leaves_nothing_on_error(
    emulator: Any, bucket: str
) -> None:
    backend = _small_chunks(emulator, bucket)
    store = Store(backend, _owns=False)
    store.write("keep.bin", b"old")
    with pytest.raises(RuntimeError):
        with store.open_atomic("keep.bin", overwrite=True) as sink:
            sink.write(b"x" * (700 * 1024))  # chunks already sent
            raise RuntimeError("the producer failed")
    assert store.read_bytes("keep.bin") == b"old"
    with pytest.raises(RuntimeError):
        with store.open_atomic("fresh.bin") as sink:
            sink.write(b"y" * (700 * 1024))
            raise RuntimeError("the producer failed")
    assert not store.exists("fresh.bin")
    with store.open_atomic("fresh.bin") as sink:
        for _ in range(3):
            sink.write(b"z" * (300 * 1024))
    assert store.read_bytes("fresh.bin") == b"z" * (900 * 1024)


def test_a_seekable_read_never_mixes_two_generations(backend: GCSBackend) -> None:
    backend.write("p.bin", b"A" * 1000)
    stream = backend.read_seekable("p.bin")
    assert stream.read(10) == b"A" * 10
    backend.write("p.bin", b"B" * 1000, overwrite=True)
    stream.seek(500)
    with pytest.raises(PreconditionFailed):
        stream.read(10)
    stream.close()


def test_reads_seek_and_range(backend: GCSBackend) -> None:
    backend.write("r.bin", bytes(range(200)))
    with backend.read("r.bin") as stream:
        assert stream.seekable()
        assert stream.read(5) == bytes(range(5))
        stream.seek(-3, io.SEEK_END)
        assert stream.read() == bytes(range(197, 200))
        stream.seek(100)
        assert stream.read(2) == bytes([100, 101])
    with backend.read_seekable("r.bin") as stream:
        stream.seek(150)
        assert stream.read(1000) == bytes(range(150, 200))
        assert stream.read(1) == b""
    backend.write("empty", b"")
    with backend.read("empty") as stream:
        assert stream.read() == b""


def test_missing_and_folder_paths_get_typed_errors(backend: GCSBackend) -> None:
    backend.write("dir/file", b"1")
    for call in (backend.read, backend.read_bytes, backend.read_seekable, backend.get_file_info):
        with pytest.raises(NotFound):
            call("nope")
        with pytest.raises(InvalidPath):
            call("dir")
    with pytest.raises(InvalidPath):
        backend.delete("dir")
    with pytest.raises(NotFound):
        backend.delete("nope")
    backend.delete("nope", missing_ok=True)
    with pytest.raises(NotFound):
        backend.copy("nope", "x")
    with pytest.raises(InvalidPath):
        backend.copy("dir", "x")


def test_copy_and_move_keep_metadata_and_respect_overwrite(backend: GCSBackend) -> None:
    backend.write("a", b"alpha", metadata={"owner": "me"})
    backend.write("b", b"beta")
    with pytest.raises(AlreadyExists):
        backend.copy("a", "b")
    with pytest.raises(AlreadyExists):
        backend.move("a", "b")
    assert backend.read_bytes("b") == b"beta" and backend.read_bytes("a") == b"alpha"
    backend.copy("a", "b", overwrite=True)
    assert backend.read_bytes("b") == b"alpha"
    backend.move("a", "moved/a")
    assert not backend.is_file("a")
    assert dict(backend.get_file_info("moved/a").metadata or {}) == {"owner": "me"}


def test_delete_many_reports_each_key(backend: GCSBackend) -> None:
    for key in ("x/1", "x/2", "with space", "ünï", "dir/inner"):
        backend.write(key, b"1")
    outcome = backend.delete_many(["x/1", "x/2", "with space", "ünï", "missing", "dir"])
    assert outcome["x/1"] is None and outcome["x/2"] is None
    assert outcome["with space"] is None and outcome["ünï"] is None
    assert isinstance(outcome["missing"], NotFound)
    assert isinstance(outcome["dir"], InvalidPath)
    remaining = [str(f.path) for f in backend.list_files("", recursive=True)]
    assert remaining == ["dir/inner"]
    assert backend.delete_many(["missing"], missing_ok=True) == {"missing": None}


def test_delete_folder_recursive_removes_every_key_below(backend: GCSBackend) -> None:
    keys = [f"tree/{i % 3}/n {i}" for i in range(130)] + ["tree.txt", "treehouse/x"]
    for key in keys:
        backend.write(key, b"1")
    from remote_store.errors import DirectoryNotEmpty

    with pytest.raises(DirectoryNotEmpty):
        backend.delete_folder("tree")
    backend.delete_folder("tree", recursive=True)
    left = sorted(str(f.path) for f in backend.list_files("", recursive=True))
    assert left == ["tree.txt", "treehouse/x"]
    with pytest.raises(NotFound):
        backend.delete_folder("tree", recursive=True)
    backend.delete_folder("tree", recursive=True, missing_ok=True)


def test_listing_order_puts_a_folder_as_path_slash(backend: GCSBackend) -> None:
    for key in ("a/b", "a.txt", "a-c", "a/a", "b", "a0"):
        backend.write(key, b"1")
    flat = [str(f.path) for f in backend.list_files("", recursive=True)]
    assert flat == sorted(flat) == ["a-c", "a.txt", "a/a", "a/b", "a0", "b"]
    children = [str(e.path) for e in backend.iter_children("")]
    assert children == ["a-c", "a.txt", "a", "a0", "b"]
    assert [str(f.path) for f in backend.list_files("", max_depth=0)] == ["a-c", "a.txt", "a0", "b"]


def test_folder_markers_of_other_tools_are_not_files(emulator: Any, bucket: str) -> None:
    import requests

    backend = emulator.backend(bucket)
    backend.write("real/file", b"1")
    requests.post(
        f"{emulator.url}/upload/storage/v1/b/{bucket}/o",
        params={"uploadType": "media", "name": "real/"},
        data=b"",
        timeout=10,
    ).raise_for_status()
    assert [str(f.path) for f in backend.list_files("", recursive=True)] == ["real/file"]
    assert [str(f.path) for f in backend.list_folders("")] == ["real"]


def test_capabilities_naming_and_health(emulator: Any, bucket: str) -> None:
    backend = emulator.backend(bucket)
    assert Capability.EXCLUSIVE_CREATE in backend.capabilities
    assert Capability.SEEKABLE_READ in backend.capabilities
    assert Capability.ATOMIC_MOVE not in backend.capabilities
    assert backend.native_path("a/b") == f"gs://{bucket}/a/b"
    assert backend.to_key(f"gs://{bucket}/a/b") == "a/b"
    assert backend.to_key(f"gs://{bucket}") == ""
    plan = backend.resolve("a/b")
    assert plan.details["bucket"] == bucket and plan.details["object_name"] == "a/b"
    backend.check_health()
    with pytest.raises(NotFound):
        emulator.backend("no-such-bucket").check_health()
    with pytest.raises(NotFound):
        emulator.backend("no-such-bucket").write("x", b"1")


def test_unwrap_gives_the_google_cloud_storage_client_on_the_same_session(
    backend: GCSBackend,
) -> None:
    from google.cloud import storage

    backend.write("u.txt", b"via sdk")
    client = backend.unwrap(storage.Client)
    blob = client.bucket(backend._bucket).blob("u.txt")
    assert blob.download_as_bytes() == b"via sdk"


@pytest.mark.parametrize(
    "options",
    [
        {"bucket": ""},
        {"bucket": "a/b"},
        {"bucket": "b", "chunk_size": 1000},
        {"bucket": "b", "chunk_size": 0},
        {"bucket": "b", "anonymous": True, "credentials_json": "{}"},
        {"bucket": "b", "endpoint_url": "ftp://x"},
        {"bucket": "b", "retry": 3},
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        GCSBackend(**options)


def test_store_conditional_writes_compare_and_swap_on_the_etag(backend: GCSBackend) -> None:
    store = Store(backend, _owns=False)
    first = store.write("cas.txt", b"one")
    assert first.etag is not None
    store.write("cas.txt", b"two", if_match=first.etag)
    with pytest.raises(PreconditionFailed):  # the etag the caller saw is gone
        store.write("cas.txt", b"three", if_match=first.etag)
    with pytest.raises(PreconditionFailed):
        store.write("cas.txt", b"four", if_none_match="*")
    with pytest.raises(PreconditionFailed):
        store.write("missing.txt", b"x", if_match=first.etag)
    store.write("fresh.txt", b"x", if_none_match="*")
    assert store.read_bytes("cas.txt") == b"two" and store.read_bytes("fresh.txt") == b"x"


def test_a_conditional_stream_over_one_chunk_is_refused_before_uploading(
    emulator: Any, bucket: str
) -> None:
    backend = _small_chunks(emulator, bucket)
    first = backend.write("gen.bin", b"old")
    assert first.version_id is not None
    backend.write("gen.bin", b"newer", overwrite=True)
    mark = emulator.mark()
    with pytest.raises(PreconditionFailed):
        backend.write(
            "gen.bin", io.BytesIO(b"s" * (600 * 1024)), if_generation_match=int(first.version_id)
        )
    assert [m for m, _, _ in emulator.since(mark, bucket)] == ["GET"]  # no session opened
    assert backend.read_bytes("gen.bin") == b"newer"
    current = backend.get_file_info("gen.bin").version_id
    assert current is not None
    data = b"s" * (600 * 1024)
    backend.write("gen.bin", io.BytesIO(data), if_generation_match=int(current))
    assert backend.read_bytes("gen.bin") == data


@pytest.mark.parametrize(
    "key", ["a b/ü#?%.txt", "semi;colon/plus+and&amp", "dots/..x/.y", "~tilde/*star"]
)
def test_names_that_need_escaping_round_trip(backend: GCSBackend, key: str) -> None:
    store = Store(backend, _owns=False)
    store.write(key, b"odd", metadata={"k": "v"})
    assert store.read_bytes(key) == b"odd"
    with store.read(key) as stream:
        stream.seek(1)
        assert stream.read() == b"dd"
    assert store.exists(key) and store.is_file(key)
    assert [str(f.path) for f in store.list_files("", recursive=True)] == [key]
    store.copy(key, key + ".copy")
    store.move(key + ".copy", key + ".moved")
    assert store.read_bytes(key + ".moved") == b"odd"
    assert backend.delete_many([key, key + ".moved"]) == {key: None, key + ".moved": None}
    assert list(store.list_files("", recursive=True)) == []


CHUNK = 256 * 1024


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1, 3 * CHUNK - 1]
)
def test_stream_sizes_around_the_chunk_boundaries(emulator: Any, bucket: str, size: int) -> None:
    backend = _small_chunks(emulator, bucket)
    data = bytes((i * 7) % 251 for i in range(size))

    class Dribble(io.RawIOBase):  # hands out odd-sized pieces, like a socket would
        def __init__(self) -> None:
            self.pos = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            n = min(len(buffer), 100_003, size - self.pos)
            buffer[:n] = data[self.pos : self.pos + n]
            self.pos += n
            return n

    result = backend.write("edge.bin", cast(BinaryIO, Dribble()))
    assert result.size == size
    assert backend.read_bytes("edge.bin") == data
    assert backend.get_file_info("edge.bin").size == size
    with backend.open_atomic("edge2.bin") as sink:
        for start in range(0, size, 70_001):
            sink.write(data[start : start + 70_001])
    assert backend.read_bytes("edge2.bin") == data
