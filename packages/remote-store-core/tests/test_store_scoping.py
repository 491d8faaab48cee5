"""Root scoping, child stores, naming (to_key/native_path/resolve), ownership, identity and
ProxyStore delegation."""

from __future__ import annotations

from typing import Any

import pytest
from remote_store import InvalidPath, ProxyStore, Store
from remote_store.backends import MemoryBackend


class ClosingMemory(MemoryBackend):
    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_root_path_is_normalised_and_prefixes_keys() -> None:
    backend = MemoryBackend()
    store = Store(backend, root_path="/data/")
    assert store.root_path == "data"
    result = store.write("x/f.txt", b"1")
    assert result.path == "x/f.txt"
    assert backend.read_bytes("data/x/f.txt") == b"1"
    assert str(store.get_file_info("x/f.txt").path) == "x/f.txt"
    assert repr(store) == "Store(backend='memory', root_path='data')"


@pytest.mark.parametrize("root", ["", ".", None])
def test_root_spellings_mean_the_backend_root(root: Any) -> None:
    assert Store(MemoryBackend(), root_path=root).root_path == ""


def test_child_is_scoped_and_cannot_escape(store: Store) -> None:
    store.write("team/a.txt", b"a")
    store.write("other.txt", b"o")
    child = store.child("team")
    assert child.root_path == "team"
    assert child.read_bytes("a.txt") == b"a"
    assert child.exists("") and child.is_folder(".")
    assert not child.exists("other.txt")
    for bad in ["..", "../other.txt", "a/../../other.txt"]:
        with pytest.raises(InvalidPath):
            child.read_bytes(bad)
    # a leading "/" is made relative: it cannot reach above the child's root
    assert child.exists("/a.txt")
    assert not child.exists("/other.txt")
    result = child.write("new.txt", b"n")
    assert result.path == "new.txt"
    assert store.read_bytes("team/new.txt") == b"n"


def test_child_of_child_and_normalised_subpath(store: Store) -> None:
    store.write("a/b/c/f.txt", b"f")
    grandchild = store.child("/a//").child("b/c/")
    assert grandchild.root_path == "a/b/c"
    assert grandchild.read_bytes("f.txt") == b"f"


@pytest.mark.parametrize("subpath", ["", ".", "..", "a/..", "a\x00", 3, None])
def test_child_with_bad_subpath_is_invalid_path(store: Store, subpath: Any) -> None:
    with pytest.raises(InvalidPath):
        store.child(subpath)


def test_child_delete_folder_of_its_root_is_refused(store: Store) -> None:
    store.write("c/f.txt", b"x")
    child = store.child("c")
    with pytest.raises(InvalidPath, match="root"):
        child.delete_folder("", recursive=True)
    assert store.exists("c/f.txt")


def test_direct_store_owns_and_closes_its_backend() -> None:
    backend = ClosingMemory()
    with Store(backend) as store:
        assert store.backend is backend
    assert backend.closed == 1


def test_child_and_proxy_do_not_own_the_backend() -> None:
    backend = ClosingMemory()
    store = Store(backend)
    store.child("x").close()
    with store.child("y"):
        pass
    ProxyStore(store).close()
    assert backend.closed == 0
    store.close()
    assert backend.closed == 1


def test_equality_and_hash_by_backend_object_and_root() -> None:
    backend = MemoryBackend()
    a, b = Store(backend, "r"), Store(backend, "/r/")
    assert a == b and hash(a) == hash(b)
    assert a != Store(backend, "s")
    assert a != Store(MemoryBackend(), "r")
    assert Store(backend) == Store(backend).child("x").child("y").__class__(backend)
    assert a.child("x") == Store(backend, "r/x")
    assert len({a, b, a.child("x")}) == 2
    assert a != "r"


def test_memory_naming_is_identity_with_root_prefix() -> None:
    store = Store(MemoryBackend(), "base")
    assert store.native_path("a/b.txt") == "base/a/b.txt"
    assert store.native_path("") == "base"
    assert store.to_key("base/a/b.txt") == "a/b.txt"
    assert store.to_key("base") == ""
    with pytest.raises(InvalidPath, match="not under the store root"):
        store.to_key("elsewhere/a.txt")
    with pytest.raises(InvalidPath, match="not under the store root"):
        store.to_key("basement/a.txt")
    plan = store.resolve("a//b.txt")
    assert (plan.kind, plan.backend, plan.key, plan.native_path) == (
        "memory",
        "memory",
        "a//b.txt",
        "base/a/b.txt",
    )
    assert dict(plan.details) == {}
    with pytest.raises(TypeError):
        plan.details["x"] = 1  # type: ignore[index]


def test_to_key_without_root_passes_foreign_paths_through() -> None:
    assert Store(MemoryBackend()).to_key("any/thing") == "any/thing"


class Recording(ProxyStore):
    """A proxy that records the names of the calls it forwards."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.seen: list[str] = []

    def write(self, path: str, content: Any, **kwargs: Any) -> Any:
        self.seen.append("write")
        return super().write(path, content, **kwargs)

    def _wrap_child(self, inner_child: Store) -> Store:
        return Recording(inner_child)


def test_proxy_store_delegates_every_method(populate: Any) -> None:
    backend = MemoryBackend()
    inner = Store(backend)
    populate(inner)
    proxy = ProxyStore(inner)
    assert proxy.inner is inner
    assert proxy.exists("a.txt") and proxy.is_file("a.txt") and proxy.is_folder("docs")
    assert proxy.read_bytes("a.txt") == b"A"
    assert proxy.read_text("a.txt") == "A"
    with proxy.read("a.txt") as s1, proxy.read_seekable("a.txt") as s2:
        assert s1.read() == s2.read() == b"A"
    proxy.write("p.txt", b"p")
    proxy.write_text("t.txt", "t")
    proxy.write_atomic("w.txt", b"w")
    context = proxy.open_atomic("o.txt")
    with context as sink:
        sink.write(b"o")
    assert context.result is not None and context.result.size == 1
    proxy.copy("p.txt", "p2.txt")
    proxy.move("p2.txt", "p3.txt")
    proxy.delete("p3.txt")
    proxy.write("gone/x.txt", b"x")
    proxy.delete_folder("gone", recursive=True)
    assert [str(f.path) for f in proxy.list_files("docs", recursive=True, max_depth=0)] == [
        "docs/readme.md"
    ]
    assert [str(f.path) for f in proxy.list_folders("docs")] == ["docs/guide"]
    assert len(list(proxy.iter_children("docs"))) == 2
    assert proxy.get_file_info("a.txt").size == 1
    assert proxy.head("a.txt").source == "sidecar"
    assert proxy.get_folder_info("docs").file_count == 3
    assert proxy.get_folder_info("docs", max_depth=0).file_count == 1
    proxy.ping()
    assert proxy.native_path("a.txt") == "a.txt"
    assert proxy.to_key("a.txt") == "a.txt"
    assert proxy.resolve("a.txt").native_path == "a.txt"
    assert proxy.supports(inner.capabilities.__iter__().__next__())
    assert proxy.unwrap(MemoryBackend) is backend
    assert proxy.root_path == ""
    assert repr(proxy) == "ProxyStore(Store(backend='memory', root_path=''))"
    from remote_store import CapabilityNotSupported

    with pytest.raises(CapabilityNotSupported):
        proxy.glob("*")
    populated = ["a.txt", "docs/readme.md", "docs/guide/intro.md", "docs/guide/deep/x.md"]
    added = ["data/2026/jan.csv", "p.txt", "t.txt", "w.txt", "o.txt"]
    assert sorted(backend._files) == sorted([*populated, *added])


def test_proxy_child_keeps_the_wrapper_and_getattr_forwards() -> None:
    proxy = Recording(Store(MemoryBackend()))
    child = proxy.child("sub")
    assert isinstance(child, Recording)
    child.write("f.txt", b"x")
    assert child.seen == ["write"]
    assert child.inner.root_path == "sub"
    assert proxy._make_child is not None  # forwarded or inherited attributes resolve
    with pytest.raises(AttributeError):
        proxy.__no_such_dunder__  # noqa: B018
    with pytest.raises(AttributeError):
        proxy.no_such_attribute  # noqa: B018


def test_plain_proxy_child_is_the_inner_child() -> None:
    inner = Store(MemoryBackend())
    child = ProxyStore(inner).child("x")
    assert type(child) is Store
    assert child.root_path == "x"
