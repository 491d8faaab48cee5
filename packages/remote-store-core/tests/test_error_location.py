"""Errors raised by a Store name the caller's path as given and the backend's location.

``err.path`` is the caller's text (``"./a.txt"`` stays ``"./a.txt"``), ``err.key`` the
root-prefixed backend key, ``err.location`` the backend's secret-free location; the
message shows all three. Sync and async stores, memory and local backends.
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_store import Store
from remote_store.aio import AsyncStore
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.errors import (
    AlreadyExists,
    CapabilityNotSupported,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)

# Spellings of one missing file: the error names each exactly as given.
SPELLINGS = ["a.txt", "./a.txt", "a//b.txt", "/x/./y.txt", "x\\z.txt"]


@pytest.fixture(params=["memory", "local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    backend = MemoryBackend() if request.param == "memory" else LocalBackend(tmp_path)
    with Store(backend, "data/") as opened:
        opened.write("present.txt", b"x")
        opened.write("folder/inside.txt", b"y")
        yield opened


def _raised(call: Callable[[], Any]) -> RemoteStoreError:
    with pytest.raises(RemoteStoreError) as info:
        call()
    return info.value


OPERATIONS: dict[str, Callable[[Store, str], Any]] = {
    "read": lambda s, p: s.read(p).read(),
    "read_bytes": lambda s, p: s.read_bytes(p),
    "read_text": lambda s, p: s.read_text(p),
    "read_seekable": lambda s, p: s.read_seekable(p).read(),
    "delete": lambda s, p: s.delete(p),
    "delete_folder": lambda s, p: s.delete_folder(p),
    "get_file_info": lambda s, p: s.get_file_info(p),
    "head": lambda s, p: s.head(p),
    "get_folder_info": lambda s, p: s.get_folder_info(p, max_depth=1),
    "move source": lambda s, p: s.move(p, "elsewhere.txt"),
    "copy source": lambda s, p: s.copy(p, "elsewhere.txt"),
    "list_files strict": lambda s, p: list(s.list_files(p, strict=True)),
}


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_missing_path_is_named_as_the_caller_gave_it(
    store: Store, operation: str, spelling: str
) -> None:
    error = _raised(lambda: OPERATIONS[operation](store, spelling))
    assert isinstance(error, NotFound)
    assert error.path == spelling
    expected_key = "data/" + spelling.replace("\\", "/").replace("//", "/").lstrip("/")
    assert error.key == expected_key.replace("/./", "/")
    assert error.location == store.backend.location
    assert error.backend == store.backend.name  # 0.27's attribute keeps its meaning
    text = str(error)
    assert repr(spelling) in text and repr(error.key) in text and error.location in text


def test_the_message_reads_path_then_location_and_key(tmp_path: Path) -> None:
    with Store(LocalBackend(tmp_path), "data") as store:
        error = _raised(lambda: store.read_bytes("a.txt"))
    root = str(tmp_path.resolve())
    assert str(error) == f"file not found: 'a.txt' (local folder {root!r}, key 'data/a.txt')"


def test_the_key_is_left_out_when_it_is_the_path() -> None:
    with Store(MemoryBackend()) as store:
        error = _raised(lambda: store.read_bytes("a.txt"))
    assert str(error) == "file not found: 'a.txt' (memory)"
    assert error.key == "a.txt"


def test_a_missing_destination_ancestor_names_the_destination(store: Store) -> None:
    error = _raised(lambda: store.copy("present.txt", "present.txt/below.txt"))
    assert error.path == "present.txt/below.txt"
    existing = _raised(lambda: store.move("./present.txt", "folder//inside.txt"))
    assert isinstance(existing, AlreadyExists)
    assert existing.path == "folder//inside.txt" and existing.key == "data/folder/inside.txt"


def test_a_store_refusal_before_io_names_the_caller_path(store: Store) -> None:
    malformed = _raised(lambda: store.read_bytes("a/../b"))
    assert isinstance(malformed, InvalidPath)
    assert malformed.path == "a/../b" and malformed.key is None
    assert malformed.location == store.backend.location
    root = _raised(lambda: store.delete_folder("."))
    assert root.path == "."
    exists = _raised(lambda: store.write("./present.txt", b"z"))
    assert isinstance(exists, AlreadyExists) and exists.path == "./present.txt"
    folder = _raised(lambda: store.read_bytes("folder/"))
    assert folder.path == "folder/" and folder.key == "data/folder"


def test_a_capability_refusal_names_the_caller_path() -> None:
    with Store(MemoryBackend(), "r") as store:
        error = _raised(lambda: list(store.glob("x/*.txt")))
    assert isinstance(error, CapabilityNotSupported)
    assert error.path == "x/*.txt" and error.location == "memory"


def test_a_located_error_pickles_with_its_location(store: Store) -> None:
    error = _raised(lambda: store.read_bytes("./gone.txt"))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.path, copy.key, copy.location, copy.backend) == (
        error.path,
        error.key,
        error.location,
        error.backend,
    )
    assert str(copy) == str(error)


def test_delete_many_outcomes_name_each_spelling() -> None:
    with Store(MemoryBackend(), "data") as store:
        outcomes = store.delete_many(["gone.txt", "./gone.txt", "a/../b"])
    first, second, bad = outcomes["gone.txt"], outcomes["./gone.txt"], outcomes["a/../b"]
    assert isinstance(first, NotFound) and isinstance(second, NotFound)
    assert first is not second
    assert (first.path, second.path) == ("gone.txt", "./gone.txt")
    assert first.key == second.key == "data/gone.txt"
    assert isinstance(bad, InvalidPath) and bad.path == "a/../b"


def test_an_error_outside_a_store_keeps_the_027_rendering() -> None:
    error = NotFound("gone", path="a/b", backend="memory")
    assert error.location is None and error.key is None
    assert str(error) == "gone | path='a/b' | backend='memory'"


class _LeakyLocation(MemoryBackend):
    """A third-party backend whose location forgot to redact its URL."""

    @property
    def location(self) -> str:
        return "memory at https://alice:hunter2@host.example/x?sig=SASSIGNATURE"


class _BrokenLocation(MemoryBackend):
    @property
    def location(self) -> str:
        raise RuntimeError("no location today")


def test_the_store_masks_credentials_a_location_forgot() -> None:
    with Store(_LeakyLocation(), "d") as store:
        error = _raised(lambda: store.read_bytes("a.txt"))
    text = str(error) + repr(error) + repr(error.__dict__)
    assert "hunter2" not in text and "SASSIGNATURE" not in text
    assert "host.example" in text


def test_a_location_that_raises_falls_back_to_the_name() -> None:
    with Store(_BrokenLocation()) as store:
        error = _raised(lambda: store.read_bytes("a.txt"))
    assert isinstance(error, NotFound) and error.location == "memory"


def test_a_location_without_the_name_gets_it_prefixed() -> None:
    class Bare(MemoryBackend):
        @property
        def location(self) -> str:
            return "bucket 'b'"

    with Store(Bare()) as store:
        error = _raised(lambda: store.read_bytes("a.txt"))
    assert error.location == "memory bucket 'b'"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_async_store_errors_name_the_caller_path(spelling: str, tmp_path: Path) -> None:
    async def scenario() -> list[RemoteStoreError]:
        errors: list[RemoteStoreError] = []
        async with AsyncStore(LocalBackend(tmp_path), "data") as store:
            calls: list[Callable[[], Any]] = [
                lambda: store.read_bytes(spelling),
                lambda: store.delete(spelling),
                lambda: store.get_file_info(spelling),
                lambda: store.move(spelling, "other.txt"),
                lambda: store.copy(spelling, "other.txt"),
            ]
            for call in calls:
                try:
                    await call()
                except RemoteStoreError as exc:
                    errors.append(exc)
            try:
                async for _ in store.read(spelling):
                    pass
            except RemoteStoreError as exc:
                errors.append(exc)
            try:
                async for _ in store.list_files(spelling, strict=True):
                    pass
            except RemoteStoreError as exc:
                errors.append(exc)
        return errors

    errors = asyncio.run(scenario())
    assert len(errors) == 7
    for error in errors:
        assert isinstance(error, NotFound), error
        assert error.path == spelling
        assert error.key is not None and error.key.startswith("data/")
        assert error.location == f"local folder {str(tmp_path.resolve())!r}"
