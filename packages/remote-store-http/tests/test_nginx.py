"""The HTTP backend against a real nginx."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from remote_store import Capability, CapabilityNotSupported, NotFound, PermissionDenied, Store
from remote_store_http import ReadOnlyHttpBackend

Nginx = Any  # the conftest's Nginx fixture value

Publish = Callable[..., ReadOnlyHttpBackend]
MiB = 1024 * 1024


def test_read_streams_the_body(published: Publish) -> None:
    store = Store(published({"data/a.csv": b"x,y\n1,2\n"}))
    with store.read("data/a.csv") as stream:
        assert stream.read(3) == b"x,y"
        assert stream.read() == b"\n1,2\n"
        assert stream.read() == b""
    assert store.read_bytes("data/a.csv") == b"x,y\n1,2\n"
    assert store.read_text("data/a.csv") == "x,y\n1,2\n"


def test_file_info_reports_size_mtime_etag_and_type(published: Publish) -> None:
    store = Store(published({"a.csv": b"12345"}))
    info = store.get_file_info("a.csv")
    assert info.size == 5
    assert info.modified_at is not None
    assert info.etag and info.etag.startswith('"')
    assert info.content_type == "text/csv"
    assert store.head("a.csv").etag == info.etag


def test_exists_and_missing_files(published: Publish) -> None:
    store = Store(published({"a.txt": b"1"}))
    assert store.exists("a.txt") and store.is_file("a.txt")
    assert not store.exists("b.txt")
    assert not store.is_folder("a.txt")
    with pytest.raises(NotFound):
        store.read_bytes("b.txt")
    with pytest.raises(NotFound):
        store.get_file_info("b.txt")


def test_keys_are_quoted_into_urls(published: Publish) -> None:
    store = Store(published({"with space/é #.txt": b"odd"}))
    assert store.read_bytes("with space/é #.txt") == b"odd"
    url = store.native_path("with space/é #.txt")
    assert "with%20space/%C3%A9%20%23.txt" in url
    assert store.to_key(url) == "with space/é #.txt"


def test_unauthorised_is_permission_denied(nginx: Nginx) -> None:
    store = Store(ReadOnlyHttpBackend(nginx.url))
    with pytest.raises(PermissionDenied):
        store.read_bytes("protected/file.txt")


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.write("n.txt", b"x"),
        lambda s: s.write_atomic("n.txt", b"x"),
        lambda s: s.delete("a.txt"),
        lambda s: s.delete_folder("d", recursive=True),
        lambda s: list(s.list_files("")),
        lambda s: list(s.list_folders("")),
        lambda s: list(s.iter_children("")),
        lambda s: s.move("a.txt", "b.txt"),
        lambda s: s.copy("a.txt", "b.txt"),
        lambda s: list(s.glob("*.txt")),
        lambda s: s.open_atomic("n.txt"),
    ],
)
def test_writes_deletes_and_listings_are_refused_before_any_request(
    nginx: Nginx, published: Publish, call: Callable[[Store], object]
) -> None:
    store = Store(published({"a.txt": b"1"}))
    before = len(nginx.log_lines())
    with pytest.raises(CapabilityNotSupported):
        call(store)
    assert len(nginx.log_lines()) == before


def test_read_seekable_fetches_only_the_ranges_read(
    nginx: Nginx, published: Publish, tmp_path: object
) -> None:
    backend = published({})
    folder = backend.native_path("").rstrip("/").rpartition("/")[2]
    big = nginx.docroot / folder / "big.bin"
    with open(big, "wb") as sink:  # a sparse 200 MiB file with a marker at 100 MiB
        sink.truncate(200 * MiB)
        sink.seek(100 * MiB)
        sink.write(b"MARKER" + os.urandom(1018))
    store = Store(backend)
    before = len(nginx.log_lines())
    with store.read_seekable("big.bin") as stream:
        stream.seek(100 * MiB)
        chunk = stream.read(1024)
    assert chunk.startswith(b"MARKER") and len(chunk) == 1024
    new_lines = nginx.log_lines()[before:]
    sent = sum(int(line.split()[-1]) for line in new_lines)
    assert sent < 1 * MiB, new_lines
    assert any(" 206 " in line for line in new_lines)


def test_read_seekable_seeks_both_ways(published: Publish) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    store = Store(published({"b.bin": data}))
    with store.read_seekable("b.bin") as stream:
        assert stream.seekable()
        stream.seek(-10, os.SEEK_END)
        assert stream.read() == data[-10:]
        stream.seek(1000)
        assert stream.read(5) == data[1000:1005]
        assert stream.tell() == 1005


def test_ping_succeeds_against_a_live_server(published: Publish) -> None:
    # (returns None, checked at run time too)
    assert Store(published({"a.txt": b"1"})).ping() is None  # type: ignore[func-returns-value]


@pytest.mark.parametrize("client", ["httpx", "requests", "urllib"])
def test_every_transport_reads_and_stats(published: Publish, client: str) -> None:
    store = Store(published({"a/b.txt": b"hello"}, http_client=client))
    assert store.read_bytes("a/b.txt") == b"hello"
    assert store.get_file_info("a/b.txt").size == 5
    assert not store.exists("a/missing.txt")


def test_capabilities_are_read_only(published: Publish) -> None:
    store = Store(published({}))
    assert store.supports(Capability.READ) and store.supports(Capability.METADATA)
    assert not store.supports(Capability.WRITE) and not store.supports(Capability.LIST)


def test_repr_masks_credentials_in_the_url_and_headers(nginx: Nginx) -> None:
    backend = ReadOnlyHttpBackend(
        nginx.url.replace("http://", "http://alice:s3cr3t@"),
        headers={"Authorization": "Bearer tok-123"},
    )
    text = repr(backend) + repr(Store(backend)) + str(backend.resolve("a").details)
    assert "s3cr3t" not in text and "tok-123" not in text
