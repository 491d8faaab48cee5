"""Registry: lazy one-backend-per-name, overrides, register_backend, wrap hook, close."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pytest
from remote_store._backend_types import register_backend
from remote_store._config import BackendConfig, RegistryConfig, StoreProfile
from remote_store._plugins import get_plugin_manager
from remote_store._registry import Registry
from remote_store._retry import RetryPolicy
from remote_store._store import Store
from remote_store.backends._memory import MemoryBackend
from remote_store.errors import (
    BackendUnavailable,
    ConfigError,
    RemoteStoreError,
    UnknownBackendType,
    UnknownStore,
)
from remote_store.hookspecs import hookimpl


class BucketBackend(MemoryBackend):
    """A memory backend whose constructor looks like a cloud backend's."""

    def __init__(
        self,
        bucket: str,
        access_key: Any = None,
        secret_key: Any = None,
        region: str = "eu-west-1",
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__()
        self.bucket = bucket
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.retry = retry


class AnyOptionsBackend(MemoryBackend):
    """A memory backend taking any option (``**options``), kept for inspection."""

    def __init__(self, **options: Any) -> None:
        super().__init__()
        self.options = options


def two_stores(type_name: str = "memory", **options: Any) -> RegistryConfig:
    return RegistryConfig(
        backends={"b": BackendConfig(type=type_name, options=options)},
        stores={"one": StoreProfile(backend="b", root_path="one"), "two": StoreProfile("b")},
    )


def test_get_store_and_store_alias_return_working_stores() -> None:
    with Registry(two_stores()) as registry:
        registry.get_store("one").write("f.txt", b"x")
        assert registry.store("two").read_bytes("one/f.txt") == b"x"


def test_one_backend_instance_per_backend_name() -> None:
    created: list[MemoryBackend] = []

    class Counting(MemoryBackend):
        def __init__(self) -> None:
            super().__init__()
            created.append(self)

    registry = Registry(two_stores("counting"), backends={"counting": Counting})
    registry.get_store("one")
    registry.get_store("two")
    assert len(created) == 1


def test_backend_is_created_lazily() -> None:
    created: list[object] = []

    class Counting(MemoryBackend):
        def __init__(self) -> None:
            super().__init__()
            created.append(self)

    registry = Registry(two_stores("counting"), backends={"counting": Counting})
    assert created == []
    registry.store("one")
    assert len(created) == 1


def test_concurrent_first_use_builds_one_backend() -> None:
    created: list[object] = []
    gate = threading.Barrier(8)

    class Slow(MemoryBackend):
        def __init__(self) -> None:
            super().__init__()
            created.append(self)

    registry = Registry(two_stores("slow"), backends={"slow": Slow})
    results: list[Store] = []

    def worker() -> None:
        gate.wait()
        results.append(registry.get_store("one"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(created) == 1
    assert len({id(s) for s in results}) == 1


def test_unknown_store_lists_available_and_is_a_key_error() -> None:
    registry = Registry(two_stores())
    with pytest.raises(UnknownStore, match="'nope'; available stores: one, two") as e:
        registry.get_store("nope")
    assert isinstance(e.value, KeyError)


def test_registry_without_config_is_empty() -> None:
    with pytest.raises(UnknownStore, match="available stores: none"):
        Registry().get_store("x")


def test_registry_validates_store_backends_at_construction() -> None:
    bad = RegistryConfig(backends={}, stores={"s": StoreProfile(backend="gone")})
    with pytest.raises(ConfigError, match="unknown backend 'gone'"):
        Registry(bad)


def test_override_is_checked_against_its_signature_at_construction() -> None:
    config = two_stores("s3", bucket="b", regoin="x")
    with pytest.raises(ConfigError, match=r"no option 'regoin'.*did you mean 'region'"):
        Registry(config, backends={"s3": BucketBackend})


def test_override_receives_options_and_retry() -> None:
    config = RegistryConfig(
        backends={"b": BackendConfig("s3", {"bucket": "bk"}, RetryPolicy(max_attempts=4))},
        stores={"s": StoreProfile("b")},
    )
    registry = Registry(config, backends={"s3": BucketBackend})
    backend = registry.get_store("s")._backend
    assert isinstance(backend, BucketBackend)
    assert backend.bucket == "bk"
    assert backend.retry == RetryPolicy(max_attempts=4)


def test_override_is_per_registry_not_global() -> None:
    Registry(two_stores("fake-cloud", bucket="b"), backends={"fake-cloud": BucketBackend})
    with pytest.raises(UnknownBackendType, match=r"'fake-cloud'.*pip install remote-store-fake"):
        Registry(two_stores("fake-cloud", bucket="b")).get_store("one")


def test_unknown_type_lists_available_types_and_names_distribution() -> None:
    registry = Registry(two_stores("nosuch"))
    with pytest.raises(
        UnknownBackendType, match=r"available: .*local, memory.*remote-store-nosuch"
    ):
        registry.get_store("one")


def test_register_backend_is_process_global() -> None:
    register_backend("anything", AnyOptionsBackend)
    store = Registry(two_stores("anything", color="red")).get_store("one")
    assert store._backend.options == {"color": "red"}  # type: ignore[attr-defined]


def test_register_backend_refuses_non_callables() -> None:
    with pytest.raises(ConfigError):
        register_backend("x", "not a class")  # type: ignore[arg-type]


def test_constructor_type_error_is_a_config_error() -> None:
    def picky(**options: Any) -> MemoryBackend:
        raise TypeError("unexpected option")

    registry = Registry(two_stores("picky"), backends={"picky": picky})
    with pytest.raises(ConfigError, match=r"invalid options for backend 'b'.*TypeError") as e:
        registry.get_store("one")
    assert isinstance(e.value, ValueError)
    assert e.value.__cause__ is None
    assert e.value.__suppress_context__


def test_constructor_remote_store_error_keeps_its_type() -> None:
    def down(**options: Any) -> MemoryBackend:
        raise BackendUnavailable("service down")

    registry = Registry(two_stores("down"), backends={"down": down})
    with pytest.raises(BackendUnavailable, match="service down"):
        registry.get_store("one")


def test_stores_do_not_own_the_backend() -> None:
    with Registry(two_stores()) as registry:
        registry.get_store("one").write("a", b"1")
        registry.get_store("one").close()
        assert registry.get_store("two").read_bytes("one/a") == b"1"


def test_close_closes_every_instantiated_backend() -> None:
    closed: list[str] = []

    class Closing(MemoryBackend):
        def close(self) -> None:
            closed.append("x")

    config = RegistryConfig(
        backends={"a": BackendConfig("c"), "b": BackendConfig("c"), "c": BackendConfig("c")},
        stores={"a": StoreProfile("a"), "b": StoreProfile("b"), "c": StoreProfile("c")},
    )
    registry = Registry(config, backends={"c": Closing})
    registry.get_store("a")
    registry.get_store("b")
    registry.close()
    assert closed == ["x", "x"]


def test_close_tries_all_and_raises_the_first_failure_typed() -> None:
    closed: list[str] = []

    class Failing(MemoryBackend):
        def close(self) -> None:
            closed.append("f")
            raise OSError("socket gone")

    config = RegistryConfig(
        backends={"a": BackendConfig("f"), "b": BackendConfig("f")},
        stores={"a": StoreProfile("a"), "b": StoreProfile("b")},
    )
    registry = Registry(config, backends={"f": Failing})
    registry.get_store("a")
    registry.get_store("b")
    with pytest.raises(RemoteStoreError, match="closing backend 'a' failed: OSError") as e:
        registry.close()
    assert closed == ["f", "f"]
    assert any("'b'" in note for note in e.value.__notes__)


def test_context_manager_closes_on_exit() -> None:
    closed: list[bool] = []

    class Closing(MemoryBackend):
        def close(self) -> None:
            closed.append(True)

    with Registry(two_stores("c"), backends={"c": Closing}) as registry:
        registry.get_store("one")
    assert closed == [True]


def test_equality_compares_configs() -> None:
    assert Registry(two_stores()) == Registry(two_stores())
    assert Registry(two_stores()) != Registry(RegistryConfig())


def test_repr_names_backends_and_stores_only() -> None:
    registry = Registry(
        two_stores("anything", token="tok-value-1"), backends={"anything": AnyOptionsBackend}
    )
    assert repr(registry) == "Registry(backends=['b'], stores=['one', 'two'])"


def test_wrap_store_hook_receives_profile_options_and_wraps() -> None:
    seen: list[tuple[str, Mapping[str, Any]]] = []

    class Marker(Store):
        __slots__ = ()

    class Wrapper:
        @hookimpl
        def remote_store_wrap_store(
            self, store: Store, profile: str, options: Mapping[str, Any]
        ) -> Store | None:
            seen.append((profile, dict(options)))
            if options.get("mark"):
                return Marker(store._backend, _owns=False)
            return None

    get_plugin_manager().register(Wrapper())
    config = RegistryConfig(
        backends={"m": BackendConfig("memory")},
        stores={"w": StoreProfile("m", options={"mark": True}), "p": StoreProfile("m")},
    )
    registry = Registry(config)
    assert isinstance(registry.get_store("w"), Marker)
    assert not isinstance(registry.get_store("p"), Marker)
    assert seen == [("w", {"mark": True}), ("p", {})]


def test_wrap_store_hooks_chain_in_order() -> None:
    order: list[str] = []

    def plugin(tag: str) -> object:
        class Tagging:
            @hookimpl
            def remote_store_wrap_store(self, store: Store) -> Store | None:
                order.append(tag)
                return Store(store._backend, _owns=False)

        return Tagging()

    manager = get_plugin_manager()
    manager.register(plugin("first-registered"))
    manager.register(plugin("last-registered"))
    Registry(two_stores()).get_store("one")
    assert order == ["last-registered", "first-registered"]
