"""s3-obstore against moto: what the kit does not pin down, and attempts to break it."""

from __future__ import annotations

import io
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from remote_store import Store
from remote_store.backend import RetryPolicy, Secret
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    ConfigError,
    InvalidArgument,
    InvalidPath,
    NotFound,
    PreconditionFailed,
    SecretNotPicklable,
)
from remote_store_obstore import S3ObstoreBackend

MiB = 1024 * 1024


class Exploding(io.RawIOBase):
    """A stream that yields ``good`` bytes, then raises."""

    def __init__(self, good: int) -> None:
        self.left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.left <= 0:
            raise RuntimeError("source failed")
        count = min(len(buffer), self.left)
        buffer[:count] = b"x" * count
        self.left -= count
        return count


def test_a_create_only_put_is_refused_by_the_service(moto: Any, s3: S3ObstoreBackend) -> None:
    s3.write("once.txt", b"first")
    with pytest.raises(AlreadyExists):
        s3.write("once.txt", b"second")  # the backend's own PUT, no Store existence check
    assert s3.read_bytes("once.txt") == b"first"
    # the refusal came from moto: If-None-Match honoured, the object is untouched
    body = moto.client().get_object(Bucket=s3._flavour.container, Key="once.txt")["Body"]
    assert body.read() == b"first"


def test_racing_creators_of_a_stream_within_one_part_have_one_winner(
    s3: S3ObstoreBackend,
) -> None:
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def create(index: int) -> None:
        barrier.wait()
        try:
            s3.write("race.bin", io.BytesIO(bytes([index]) * (4 * MiB)))
        except AlreadyExists:
            outcomes.append("refused")
        else:
            outcomes.append("won")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(create, range(6)))
    assert sorted(outcomes) == ["refused"] * 5 + ["won"]
    data = s3.read_bytes("race.bin")
    assert len(data) == 4 * MiB and len(set(data)) == 1


def test_a_multipart_create_refuses_an_existing_file(s3: S3ObstoreBackend) -> None:
    s3.write("big.bin", b"old")
    with pytest.raises(AlreadyExists):
        s3.write("big.bin", io.BytesIO(b"n" * (6 * MiB)))
    assert s3.read_bytes("big.bin") == b"old"


def test_a_multipart_stream_round_trips_and_counts_its_bytes(s3: S3ObstoreBackend) -> None:
    payload = bytes(range(256)) * (11 * MiB // 256 + 3)
    result = s3.write("m/big.bin", io.BytesIO(payload), metadata={"kind": "multi"})
    assert result.size == len(payload)
    assert s3.read_bytes("m/big.bin") == payload
    assert s3.get_file_info("m/big.bin").metadata == {"kind": "multi"}


@pytest.mark.parametrize("good", [100_000, 7 * MiB])
def test_a_failing_source_leaves_no_object(s3: S3ObstoreBackend, good: int) -> None:
    with pytest.raises(RuntimeError, match="source failed"):
        s3.write("torn.bin", io.BufferedReader(Exploding(good)), overwrite=True)
    assert not s3.is_file("torn.bin")
    assert list(s3.list_files("", recursive=True)) == []


def test_seek_reads_ranges_and_a_replaced_object_fails_instead_of_mixing(
    s3: S3ObstoreBackend,
) -> None:
    s3.write("s.bin", bytes(range(200)) * 20_000)  # 4 MB
    with s3.read("s.bin") as stream:
        stream.seek(3_000_001)
        assert stream.read(3) == bytes([(3_000_001 + i) % 200 for i in range(3)])
        stream.seek(-2, io.SEEK_END)
        assert stream.read() == bytes([198, 199])
        s3.write("s.bin", b"replaced", overwrite=True)
        stream.seek(10)
        with pytest.raises(PreconditionFailed):
            stream.read(5)


def test_recursive_listing_is_sorted_across_page_boundaries(s3: S3ObstoreBackend) -> None:
    names = [f"p/{i % 7}/{i:05d}" for i in range(1_030)] + ["p/0.txt", "p/0-a", "p/00"]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: s3.write(key, b"."), names))
    listed = [str(info.path) for info in s3.list_files("p", recursive=True)]
    assert listed == sorted(names)
    assert len(listed) == 1_033  # two pages of 1000
    children = [str(e.path) for e in s3.iter_children("p")]
    # a folder sorts as "name/": "-" and "." sort before "/", "0" after it
    assert children == ["p/0-a", "p/0.txt", "p/0", "p/00", *[f"p/{i}" for i in range(1, 7)]]
    assert s3.get_folder_info("p").file_count == 1_033
    s3.delete_folder("p", recursive=True)
    assert not s3.is_folder("p")


def test_delete_many_reports_each_key(s3: S3ObstoreBackend) -> None:
    for key in ("a", "b", "d/inner"):
        s3.write(key, b"1")
    outcome = s3.delete_many(["a", "b", "missing", "d"])
    assert outcome["a"] is None and outcome["b"] is None
    assert isinstance(outcome["missing"], NotFound)
    assert isinstance(outcome["d"], InvalidPath)
    assert not s3.is_file("a") and not s3.is_file("b") and s3.is_file("d/inner")
    assert s3.delete_many(["missing"], missing_ok=True) == {"missing": None}


def test_copy_keeps_metadata_and_refuses_an_existing_destination(s3: S3ObstoreBackend) -> None:
    s3.write("src.txt", b"data", metadata={"owner": "ana"})
    s3.write("dst.txt", b"other")
    with pytest.raises(AlreadyExists):
        s3.copy("src.txt", "dst.txt")
    s3.copy("src.txt", "copy.txt")
    assert s3.get_file_info("copy.txt").metadata == {"owner": "ana"}
    s3.move("src.txt", "moved.txt")
    assert not s3.is_file("src.txt") and s3.read_bytes("moved.txt") == b"data"


def test_reserved_header_names_are_refused_as_metadata(s3: S3ObstoreBackend) -> None:
    with pytest.raises(InvalidArgument):
        s3.write("h.txt", b"x", metadata={"Content-Type": "text/html"})
    assert not s3.is_file("h.txt")


def test_writing_under_a_file_is_refused_when_asked(moto: Any) -> None:
    backend = moto.backend(reject_write_under_file_ancestor=True)
    backend.write("a", b"file")
    with pytest.raises(InvalidPath):
        backend.write("a/b/c", b"nested")
    assert not backend.is_file("a/b/c")


def test_keys_obstore_cannot_parse_are_typed_errors(s3: S3ObstoreBackend) -> None:
    with pytest.raises(InvalidPath):
        s3.write("a\tb", b"x")


def test_secrets_stay_out_of_repr_pickle_and_errors(moto: Any) -> None:
    backend = S3ObstoreBackend(
        "no-such-bucket-here",
        endpoint_url=moto.url,
        key="AKIAEXAMPLEKEY",
        secret=Secret("very-secret-value"),
        retry=RetryPolicy.disabled(),
    )
    assert "very-secret-value" not in repr(backend)
    with pytest.raises(SecretNotPicklable):
        pickle.dumps(backend)  # an inline secret refuses to travel (the core's rule)
    with pytest.raises(NotFound) as caught:
        backend.read_bytes("x")
    chain = [caught.value, caught.value.__cause__, caught.value.__context__]
    assert all("very-secret-value" not in str(item) for item in chain if item is not None)


def test_an_unreachable_endpoint_is_backend_unavailable() -> None:
    backend = S3ObstoreBackend(
        "b",
        endpoint_url="http://127.0.0.1:9",
        key="x",
        secret="y",
        retry=RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.02, timeout=2),
    )
    with pytest.raises(BackendUnavailable):
        backend.read_bytes("x")


def test_unknown_client_options_are_a_config_error() -> None:
    with pytest.raises(ConfigError):
        S3ObstoreBackend("b", client_options={"client_kwargs": {"verify": False}})
    with pytest.raises(ConfigError):
        S3ObstoreBackend("b", key="a", access_key="b")
    with pytest.raises(ConfigError):
        S3ObstoreBackend("b", part_size=1024)


def test_the_retry_policy_becomes_obstores_retry_config(moto: Any) -> None:
    from remote_store_obstore._flavours import retry_config

    policy = RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_max=8.0)
    config = retry_config(policy)
    assert config["max_retries"] == 3
    assert config["backoff"]["init_backoff"].total_seconds() == 0.5
    assert config["backoff"]["max_backoff"].total_seconds() == 8.0
    backend = moto.backend(retry={"max_attempts": 4, "timeout": 5})
    assert backend.retry_policy.max_attempts == 4
    assert backend._flavour.client["timeout"].total_seconds() == 5


def test_store_unwraps_the_obstore_store(s3: S3ObstoreBackend) -> None:
    from obstore.store import S3Store

    store = Store(s3, _owns=False)
    assert isinstance(store.unwrap(S3Store), S3Store)
