"""Request counts seen by the server (moto's HTTP request log), per operation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from remote_store import Store


def count(moto: Any, bucket: str, action: Callable[[], object]) -> list[str]:
    before = len(moto.log.requests(bucket))
    action()
    seen: list[str] = moto.log.requests(bucket)[before:]
    return seen


def test_small_new_file_write_is_one_put(store: Store, moto: Any, bucket: str) -> None:
    seen = count(moto, bucket, lambda: store.write("new/file.txt", b"x" * 4096))
    assert len(seen) == 1, seen
    assert '"PUT ' in seen[0]


def test_overwrite_and_stream_write_are_one_put(store: Store, moto: Any, bucket: str) -> None:
    import io

    store.write("f", b"1")
    assert len(count(moto, bucket, lambda: store.write("f", b"2", overwrite=True))) == 1
    assert len(count(moto, bucket, lambda: store.write("g", io.BytesIO(b"3")))) == 1


def test_read_is_one_get(store: Store, moto: Any, bucket: str) -> None:
    store.write("r", b"abc")
    seen = count(moto, bucket, lambda: store.read_bytes("r"))
    assert len(seen) == 1 and '"GET ' in seen[0]

    def stream() -> None:
        with store.read("r") as handle:
            assert handle.read() == b"abc"

    assert len(count(moto, bucket, stream)) == 1


def test_exists_is_a_head_then_one_list_only_when_missing(
    store: Store, moto: Any, bucket: str
) -> None:
    store.write("e/f", b"1")
    # siblings that sort between "e" and "e/" ('-' and '.' sort before '/')
    for sibling in ("e.txt", "e-1", "e.d/x", "e f"):
        store.write(sibling, b"1")
    cases = [  # path, answer, requests
        ("e/f", True, ["HEAD"]),
        ("e.txt", True, ["HEAD"]),
        ("e", True, ["HEAD", "GET"]),
        ("e.d", True, ["HEAD", "GET"]),
        ("e.", False, ["HEAD", "GET"]),
        ("missing", False, ["HEAD", "GET"]),
        ("e/f/g", False, ["HEAD", "GET"]),
    ]
    for path, expected, methods in cases:
        result: list[bool] = []

        def probe(p: str = path, r: list[bool] = result) -> None:
            r.append(store.exists(p))

        seen = count(moto, bucket, probe)
        assert result == [expected], path
        verbs = [re.search(r"(HEAD|GET|PUT|POST|DELETE) /", line) for line in seen]
        assert [verb and verb.group(1) for verb in verbs] == methods, (path, seen)
        if len(seen) == 2:
            assert "list-type=2" in seen[1] and "max-keys=1" in seen[1], seen


def test_get_file_info_is_one_head(store: Store, moto: Any, bucket: str) -> None:
    store.write("h", b"1")
    seen = count(moto, bucket, lambda: store.get_file_info("h"))
    assert len(seen) == 1 and '"HEAD ' in seen[0]


def test_recursive_listing_is_one_flat_stream(store: Store, moto: Any, bucket: str) -> None:
    for folder in ("a", "a/b", "c", "c/d/e"):
        store.write(f"{folder}/f", b"1")
    seen = count(moto, bucket, lambda: list(store.list_files("", recursive=True)))
    assert len(seen) == 1 and "delimiter" not in seen[0]
    seen = count(moto, bucket, lambda: store.get_folder_info(""))
    assert len(seen) == 1


def test_exists_past_a_page_of_siblings_is_still_right(
    store: Store, moto: Any, bucket: str
) -> None:
    store.write("n/x", b"1")
    for index in range(101):  # more siblings "n.*" than one page of a small LIST
        store.write(f"n.{index:04}", b"1")
    assert store.exists("n")
    store.delete_folder("n", recursive=True)
    assert not store.exists("n")


@pytest.mark.slow
def test_delete_many_of_1000_keys_is_one_listing_and_one_delete_objects(
    store: Store, moto: Any, bucket: str
) -> None:
    paths = [f"bulk/{i:04d}.csv" for i in range(1000)]
    for path in paths:
        store.write(path, b"x")
    store.write("bulk/keep.txt", b"kept")
    outcomes: dict[str, Any] = {}
    seen = count(moto, bucket, lambda: outcomes.update(store.delete_many(paths)))
    assert outcomes == dict.fromkeys(paths)
    assert len(seen) <= 3, seen  # one delimited LIST (+ at most one prefetched page), one POST
    assert sum('"POST ' in line for line in seen) == 1
    assert [str(i.path) for i in store.list_files("bulk")] == ["bulk/keep.txt"]


def test_delete_many_by_listing_tells_files_folders_and_missing_keys_apart(
    store: Store, moto: Any, bucket: str
) -> None:
    store.write("mix/a.txt", b"a")
    store.write("mix/sub/inner.txt", b"kept")
    store.write("mix/\ue000.txt", b"private-use")  # its predecessor is a surrogate
    store.write("mix/z.txt", b"z")
    asked = ["mix/a.txt", "mix/sub", "mix/missing.txt", "mix/\ue000.txt", "mix/z.txt"]
    outcomes = store.delete_many(asked)
    assert outcomes["mix/a.txt"] is None and outcomes["mix/z.txt"] is None
    assert outcomes["mix/\ue000.txt"] is None
    assert type(outcomes["mix/sub"]).__name__ == "InvalidPath"
    assert type(outcomes["mix/missing.txt"]).__name__ == "NotFound"
    assert store.read_bytes("mix/sub/inner.txt") == b"kept"
    assert not store.exists("mix/z.txt")


def test_the_request_log_survives_another_test_silencing_werkzeug(
    store: Store, moto: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another package's fixture in the same worker may mute the ``werkzeug`` logger (the
    fsspec suite does): the counts above must not go blank when it does."""
    import logging

    werkzeug = logging.getLogger("werkzeug")
    monkeypatch.setattr(werkzeug, "level", logging.CRITICAL)
    monkeypatch.setattr(werkzeug, "disabled", True)
    seen = count(moto, bucket, lambda: store.write("muted", b"x"))
    assert len(seen) == 1 and '"PUT ' in seen[0] and seen[0].endswith(" 200"), seen
