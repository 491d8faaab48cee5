"""Request counts seen by the server (fake-gcs-server's request log), per operation."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from remote_store import Store
from remote_store.ext.batch import batch_delete


def count(emulator: Any, bucket: str, action: Callable[[], object]) -> list[tuple[str, str, int]]:
    mark = emulator.mark()
    action()
    seen: list[tuple[str, str, int]] = emulator.since(mark, bucket)
    return seen


def test_small_new_file_write_is_one_multipart_post(
    store: Store, emulator: Any, bucket: str
) -> None:
    seen = count(emulator, bucket, lambda: store.write("new/file.txt", b"x" * 4096))
    assert len(seen) == 1, seen
    method, target, status = seen[0]
    assert method == "POST" and "uploadType=multipart" in target and "ifGenerationMatch=0" in target
    assert status == 200


def test_overwrite_and_small_stream_write_are_one_request(
    store: Store, emulator: Any, bucket: str
) -> None:
    store.write("f", b"1")
    seen = count(emulator, bucket, lambda: store.write("f", b"2", overwrite=True))
    assert len(seen) == 1 and "ifGenerationMatch" not in seen[0][1], seen
    assert len(count(emulator, bucket, lambda: store.write("g", io.BytesIO(b"3")))) == 1


def test_read_is_one_get(store: Store, emulator: Any, bucket: str) -> None:
    store.write("r", b"abc")
    seen = count(emulator, bucket, lambda: store.read_bytes("r"))
    assert [(m, s) for m, _, s in seen] == [("GET", 200)], seen

    def stream() -> None:
        with store.read("r") as handle:
            assert handle.read() == b"abc"

    assert len(count(emulator, bucket, stream)) == 1


def test_exists_is_one_listing(store: Store, emulator: Any, bucket: str) -> None:
    store.write("e/f", b"1")
    # siblings that sort between "e" and "e/" ('-' and '.' and ' ' sort before '/')
    for sibling in ("e.txt", "e-1", "e.d/x", "e f"):
        store.write(sibling, b"1")
    cases = [
        ("e/f", True),
        ("e", True),
        ("e.txt", True),
        ("e.d", True),
        ("e.", False),
        ("missing", False),
        ("e/f/g", False),
    ]
    for path, expected in cases:
        result: list[bool] = []

        def probe(p: str = path, r: list[bool] = result) -> None:
            r.append(store.exists(p))

        seen = count(emulator, bucket, probe)
        assert result == [expected], path
        assert len(seen) == 1, (path, seen)


def test_a_recursive_listing_is_one_request_per_page(
    backend: Any, emulator: Any, bucket: str, monkeypatch: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from remote_store_gcs import _listing

    monkeypatch.setattr(_listing, "PAGE_SIZE", 100)  # 1000 in use: 250 files, 3 pages
    store = Store(backend, _owns=False)
    names = [f"tree/{i % 7}/{i:05d}.bin" for i in range(250)] + ["tree.txt", "treehouse/x"]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: backend.write(n, b"z", overwrite=True), names))
    found: list[str] = []
    seen = count(
        emulator,
        bucket,
        lambda: found.extend(str(f.path) for f in store.list_files("tree", recursive=True)),
    )
    assert found == sorted(names[:250])
    assert len(seen) == 3 and all(m == "GET" for m, _, _ in seen), seen
    assert all("maxResults=100" in target for _, target, _ in seen)


def test_delete_many_is_one_batch_per_hundred_keys(
    store: Store, emulator: Any, bucket: str
) -> None:
    names = [f"flat-{i:03d}" for i in range(150)]  # no escaped characters: see the docs
    for name in names:
        store.write(name, b"1")
    seen = count(emulator, bucket, lambda: batch_delete(store, names))
    assert [m for m, t, _ in seen] == ["POST", "POST"], seen
    assert all(t.startswith("/batch/") for _, t, _ in seen)
    assert not any(store.exists(n) for n in names[:3] + names[-3:])
    assert list(store.list_files("")) == []


def test_copy_is_one_rewrite(store: Store, emulator: Any, bucket: str) -> None:
    store.write("src", b"payload", metadata={"k": "v"})
    seen = count(emulator, bucket, lambda: store.copy("src", "dst"))
    # GET source (generation, folder check), GET destination (create-only), the rewrite
    assert [m for m, _, _ in seen] == ["GET", "GET", "POST"], seen
    assert "/rewriteTo/" in seen[2][1]
    assert store.read_bytes("dst") == b"payload"
    assert dict(store.get_file_info("dst").metadata or {}) == {"k": "v"}
