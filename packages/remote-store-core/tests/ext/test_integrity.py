"""ext.integrity: streamed client-side checksums."""

from __future__ import annotations

import hashlib

import pytest
from remote_store import ContentDigest, NotFound, Store
from remote_store.errors import InvalidArgument
from remote_store.ext.integrity import checksum, content_digest, verify, verify_hex

DATA = b"integrity " * 300_000  # 3 MB: several chunks


@pytest.fixture
def written(store: Store) -> Store:
    store.write("f.bin", DATA)
    return store


def test_checksum_matches_hashlib(written: Store) -> None:
    assert checksum(written, "f.bin") == ("sha256", hashlib.sha256(DATA).hexdigest())
    assert checksum(written, "f.bin", "MD5") == ("md5", hashlib.md5(DATA).hexdigest())


def test_content_digest(written: Store) -> None:
    assert content_digest(written, "f.bin", "sha1") == ContentDigest(
        "sha1", hashlib.sha1(DATA).hexdigest()
    )


def test_verify_is_case_insensitive_and_detects_change(written: Store) -> None:
    good = hashlib.sha256(DATA).hexdigest().upper()
    assert verify(written, "f.bin", good)
    assert verify_hex(written, "f.bin", "sha256", good)
    assert verify(written, "f.bin", ContentDigest("sha256", good))
    written.write("f.bin", DATA + b"!", overwrite=True)
    assert not verify(written, "f.bin", good)


def test_unknown_algorithm_is_a_value_error(written: Store) -> None:
    with pytest.raises(InvalidArgument) as info:
        checksum(written, "f.bin", "sha0")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("expected", ["", "   ", "not-hex-é"])
def test_bad_expected_digest(written: Store, expected: str) -> None:
    if expected.strip():
        assert not verify(written, "f.bin", expected)
    else:
        with pytest.raises(InvalidArgument):
            verify(written, "f.bin", expected)


def test_missing_file(store: Store) -> None:
    with pytest.raises(NotFound):
        checksum(store, "nope.bin")
