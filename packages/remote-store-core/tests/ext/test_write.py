"""ext.write: writes come back with a client-side digest; open_atomic streams."""

from __future__ import annotations

import hashlib
import io

import pytest
from remote_store import AlreadyExists, Capability, CapabilityNotSupported, Store
from remote_store.errors import InvalidArgument
from remote_store.ext.write import HashingAtomicWriter, open_atomic_with_hash, write_with_hash

DATA = b"payload-" * 100_000


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "stream"])
def test_write_with_hash(store: Store, kind: str) -> None:
    content: bytes | bytearray | io.BytesIO = DATA
    if kind == "bytearray":
        content = bytearray(DATA)
    elif kind == "stream":
        content = io.BytesIO(DATA)
    result = write_with_hash(store, "f.bin", content, algorithm="sha1")
    assert result.digest is not None
    assert result.digest.algorithm == "sha1"
    assert result.digest.value == hashlib.sha1(DATA).hexdigest()
    assert result.source in ("native", "sidecar")
    assert result.size == len(DATA)
    assert store.read_bytes("f.bin") == DATA
    if isinstance(content, io.BytesIO):
        assert not content.closed  # the caller's stream is left open


def test_write_with_hash_refuses_existing(store: Store) -> None:
    store.write("f.bin", b"old")
    with pytest.raises(AlreadyExists):
        write_with_hash(store, "f.bin", b"new")
    assert store.read_bytes("f.bin") == b"old"


def test_open_atomic_with_hash(store: Store) -> None:
    with open_atomic_with_hash(store, "out/f.bin") as writer:
        assert isinstance(writer, HashingAtomicWriter)
        for start in range(0, len(DATA), 65536):
            writer.write(DATA[start : start + 65536])
        result_inside = writer.result
    assert result_inside is None
    assert writer.result is not None
    assert writer.result.digest is not None
    assert writer.result.digest.value == hashlib.sha256(DATA).hexdigest()
    assert writer.result.size == len(DATA)
    assert store.read_bytes("out/f.bin") == DATA


def test_open_atomic_with_hash_discards_on_error(store: Store) -> None:
    store.write("f.bin", b"old")
    with pytest.raises(RuntimeError):
        with open_atomic_with_hash(store, "f.bin", overwrite=True) as writer:
            writer.write(b"partial")
            raise RuntimeError("boom")
    assert writer.result is None
    assert store.read_bytes("f.bin") == b"old"


def test_metadata_is_passed_through_or_refused(store: Store) -> None:
    if not store.supports(Capability.USER_METADATA):
        with pytest.raises(CapabilityNotSupported):
            with open_atomic_with_hash(store, "m.bin", metadata={"owner": "me"}):
                pass
        assert not store.exists("m.bin")
        return
    with open_atomic_with_hash(store, "m.bin", metadata={"owner": "me"}) as writer:
        writer.write(DATA)
    assert writer.result is not None
    assert writer.result.metadata == {"owner": "me"}
    assert store.get_file_info("m.bin").metadata == {"owner": "me"}
    assert store.read_bytes("m.bin") == DATA


def test_local_open_atomic_with_hash_streams_to_disk(tmp_path: object) -> None:
    """The bytes land in the temporary file while the block runs: nothing is buffered."""
    from pathlib import Path

    from remote_store.backends import LocalBackend

    root = Path(str(tmp_path)) / "r"
    store = Store(LocalBackend(root=root))
    with open_atomic_with_hash(store, "big.bin") as writer:
        writer.write(b"x" * 3_000_000)
        writer.flush()
        on_disk = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        assert on_disk == 3_000_000
    assert (root / "big.bin").stat().st_size == 3_000_000


def test_unknown_algorithm_refused_before_io(store: Store) -> None:
    with pytest.raises(InvalidArgument):
        with open_atomic_with_hash(store, "x.bin", algorithm="nope"):
            pass
    with pytest.raises(InvalidArgument):
        write_with_hash(store, "x.bin", b"1", algorithm="nope")
    assert not store.exists("x.bin")
