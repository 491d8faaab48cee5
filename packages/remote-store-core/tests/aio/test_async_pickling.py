"""An AsyncStore pickles the way a Store does: the backend's options and the root travel,
the copy builds its own worker threads and descriptors; memory travels as a snapshot;
secrets follow the same rule (``${VAR}`` as its reference, inline refused)."""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import pickle
import pickletools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from remote_store import Backend, Secret, resolve_env
from remote_store._capabilities import CapabilitySet
from remote_store._models import FileInfo
from remote_store.aio import AsyncMemoryBackend, AsyncStore, SyncBackendAdapter
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.errors import NotFound, SecretNotPicklable

VALUE = "async-s3cr3t-9046"

_CHILD = r"""
import asyncio, pickle


def main(data, result_path):
    async def scenario():
        store = pickle.loads(data)
        parent = await store.read_bytes("from-parent.txt")
        await store.write("from-child.txt", b"child")
        names = sorted([str(f.path) async for f in store.list_files("", recursive=True)])
        await store.aclose()
        return parent, names

    with open(result_path, "w") as out:
        out.write(repr(asyncio.run(scenario())))
"""


class TokenBackend(Backend):
    """A backend with a secret option, used under the async adapter."""

    CAPABILITIES = CapabilitySet()

    def __init__(self, bucket: str, *, token: str | Secret | None = None) -> None:
        self.bucket, self.token = bucket, token

    @property
    def name(self) -> str:
        return "token"

    def read(self, path: str) -> BinaryIO:
        return io.BytesIO(b"")

    def get_file_info(self, path: str) -> FileInfo:
        raise NotFound("no files", path=path)


def _globals(data: bytes) -> set[str]:
    strings: list[str] = []
    found: set[str] = set()
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(str(arg))
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            found.add(f"{strings[-2]}.{strings[-1]}")
    return found


@pytest.fixture
def child_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    folder = tmp_path / "child_code"
    folder.mkdir()
    (folder / "rs_async_pickle_child.py").write_text(_CHILD)
    monkeypatch.syspath_prepend(str(folder))
    import rs_async_pickle_child  # type: ignore[import-not-found]

    yield rs_async_pickle_child
    sys.modules.pop("rs_async_pickle_child", None)


def test_async_local_store_pickles_without_threads_or_descriptors(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = AsyncStore(LocalBackend(root=tmp_path), "data")
        await store.write("a.txt", b"a")
        _ = [f async for f in store.list_files("")]  # the adapter's pool threads run
        data = pickle.dumps(store)
        names = _globals(data)
        assert not [n for n in names if n.startswith(("_thread", "threading", "concurrent"))]
        copy = pickle.loads(data)
        assert isinstance(copy, AsyncStore) and copy.root_path == "data"
        assert isinstance(copy._backend, SyncBackendAdapter)
        assert isinstance(store._backend, SyncBackendAdapter)
        assert copy._backend._calls is not store._backend._calls  # its own pools
        assert await copy.read_bytes("a.txt") == b"a"
        await copy.write("b.txt", b"b")
        await copy.aclose()  # closes only the copy's backend
        assert await store.read_bytes("b.txt") == b"b"
        child = pickle.loads(pickle.dumps(store.child("sub")))
        assert child.root_path == "data/sub"
        await child.write("c.txt", b"c")
        assert await store.read_bytes("sub/c.txt") == b"c"
        await child.aclose()
        await store.aclose()

    asyncio.run(scenario())


@pytest.mark.timeout(60)
def test_async_local_store_unpickled_in_a_spawned_process(
    tmp_path: Path, child_module: object
) -> None:
    root = tmp_path / "root"

    async def pickled() -> bytes:
        store = AsyncStore(LocalBackend(root=root))
        await store.write("from-parent.txt", b"parent")
        data = pickle.dumps(store)
        await store.aclose()
        return data

    data = asyncio.run(pickled())
    result_path = tmp_path / "child.out"
    process = multiprocessing.get_context("spawn").Process(
        target=child_module.main,  # type: ignore[attr-defined]
        args=(data, str(result_path)),
    )
    process.start()
    process.join(50)
    assert process.exitcode == 0
    parent, names = eval(result_path.read_text())  # a repr of bytes and a list of str
    assert parent == b"parent" and names == ["from-child.txt", "from-parent.txt"]
    assert (root / "from-child.txt").read_bytes() == b"child"


@pytest.mark.parametrize("backend", [MemoryBackend, AsyncMemoryBackend])
def test_async_memory_store_pickles_an_independent_snapshot(backend: type) -> None:
    async def scenario() -> None:
        store = AsyncStore(backend(), "r")
        await store.write("a.txt", b"one")
        copy = pickle.loads(pickle.dumps(store))
        await copy.write("b.txt", b"two")
        await store.write("a.txt", b"changed", overwrite=True)
        assert await copy.read_bytes("a.txt") == b"one"
        assert not await store.exists("b.txt")

    asyncio.run(scenario())


def test_async_store_with_an_inline_secret_refuses_to_pickle() -> None:
    store = AsyncStore(TokenBackend("bk", token=VALUE))
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(store)
    assert info.value.option == "TokenBackend.token"
    assert VALUE not in str(info.value)


def test_async_store_secret_from_a_variable_travels_as_its_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RS_ASYNC_TOKEN", VALUE)
    token = resolve_env({"token": "${RS_ASYNC_TOKEN}"})["token"]
    data = pickle.dumps(AsyncStore(TokenBackend("bk", token=Secret(token))))
    assert VALUE.encode() not in data and b"${RS_ASYNC_TOKEN}" in data
    monkeypatch.setenv("RS_ASYNC_TOKEN", "other-side")
    copy = pickle.loads(data)  # resolved again where it is unpickled
    assert copy._backend.backend.token.reveal() == "other-side"
