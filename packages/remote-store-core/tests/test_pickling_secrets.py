"""Stores, backends, secrets and configs pickle without a secret value in the bytes."""

from __future__ import annotations

import io
import pickle
import pickletools
import threading
from typing import Any, BinaryIO

import pytest
from remote_store import (
    Backend,
    RegistryConfig,
    Secret,
    Store,
    allow_secret_pickling,
    resolve_env,
)
from remote_store._capabilities import CapabilitySet
from remote_store._models import FileInfo
from remote_store._path import RemotePath
from remote_store.aio import AsyncStore
from remote_store.aio._memory import AsyncMemoryBackend
from remote_store.backends import MemoryBackend
from remote_store.errors import NotFound, NotPicklable, SecretNotPicklable, UnsetVariable

VALUE = "s3cr3t-value-4711"


class TokenBackend(Backend):
    """A backend with a live client (a lock and a thread-local) and secret options."""

    CAPABILITIES = CapabilitySet()

    def __init__(
        self,
        bucket: str,
        region: str = "eu",
        *,
        token: str | Secret | None = None,
        credential: Any = None,
        client: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.bucket, self.region, self.token = bucket, region, token
        self.credential, self.client, self.extra = credential, client, extra
        self.lock = threading.Lock()
        self.local = threading.local()

    @property
    def name(self) -> str:
        return "token"

    def read(self, path: str) -> BinaryIO:
        return io.BytesIO(b"")

    def get_file_info(self, path: str) -> FileInfo:
        raise NotFound("no files", path=path)


def globals_of(data: bytes) -> set[str]:
    """Every ``module.name`` a pickle refers to (GLOBAL/STACK_GLOBAL opcodes)."""
    found: set[str] = set()
    strings: list[str] = []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(str(arg))
        elif op.name == "GLOBAL":
            found.add(str(arg).replace(" ", "."))
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            found.add(f"{strings[-2]}.{strings[-1]}")
    return found


def env_config(monkeypatch: pytest.MonkeyPatch, **options: str) -> RegistryConfig:
    monkeypatch.setenv("RS_TEST_TOKEN", VALUE)
    data = {
        "backends": {"b": {"type": "token", "options": {"bucket": "bk", **options}}},
        "stores": {"s": {"backend": "b", "root": "data"}},
    }
    return RegistryConfig.from_dict(resolve_env(data))


def build(config: RegistryConfig) -> Store:
    from remote_store import Registry

    return Registry(config, backends={"token": TokenBackend}).get_store("s")


# -- memory -------------------------------------------------------------------------


def test_memory_store_pickles_a_snapshot_independent_of_the_original() -> None:
    store = Store(MemoryBackend(), "root")
    store.write("a/b.txt", b"one")
    copy = pickle.loads(pickle.dumps(store))
    assert copy.root_path == "root" and copy.read_bytes("a/b.txt") == b"one"
    copy.write("c.txt", b"two")
    store.write("a/b.txt", b"changed", overwrite=True)
    assert not store.exists("c.txt")
    assert copy.read_bytes("a/b.txt") == b"one"
    assert [str(f.path) for f in copy.list_files("", recursive=True)] == ["a/b.txt", "c.txt"]


def test_async_memory_store_pickles_a_snapshot() -> None:
    import asyncio

    async def scenario() -> bytes:
        store = AsyncStore(AsyncMemoryBackend())
        await store.write("x.bin", b"xyz")
        copy = pickle.loads(pickle.dumps(store))
        assert isinstance(copy, AsyncStore)
        return await copy.read_bytes("x.bin")

    assert asyncio.run(scenario()) == b"xyz"


def test_pickle_holds_no_lock_or_thread() -> None:
    backend = TokenBackend("bk", client=None)
    data = pickle.dumps(Store(backend))
    names = globals_of(data)
    assert not [n for n in names if n.startswith(("_thread", "threading", "socket", "_socket"))]
    copy = pickle.loads(data)
    assert copy.backend.bucket == "bk" and copy.backend.lock is not backend.lock


# -- secrets ------------------------------------------------------------------------


def test_secret_from_env_travels_as_its_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    store = build(env_config(monkeypatch, token="${RS_TEST_TOKEN}"))
    data = pickle.dumps(store)
    assert VALUE.encode() not in data and b"RS_TEST_TOKEN" in data
    monkeypatch.setenv("RS_TEST_TOKEN", "other-side-value")
    copy = pickle.loads(data)
    assert copy.backend.token.reveal() == "other-side-value"  # resolved where unpickled
    assert copy.root_path == "data"


def test_reference_keeps_literal_text_and_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    config = env_config(monkeypatch, token="Bearer ${RS_TEST_TOKEN} $${LITERAL}")
    secret = config.backends["b"].options["token"]
    assert secret.reveal() == f"Bearer {VALUE} ${{LITERAL}}"
    assert secret.reference == "Bearer ${RS_TEST_TOKEN} $${LITERAL}"
    copy = pickle.loads(pickle.dumps(secret))
    assert copy.reveal() == secret.reveal() and copy.reference == secret.reference


def test_unset_variable_on_the_other_side_is_a_typed_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = pickle.dumps(build(env_config(monkeypatch, token="${RS_TEST_TOKEN}")))
    monkeypatch.delenv("RS_TEST_TOKEN")
    with pytest.raises(UnsetVariable, match="RS_TEST_TOKEN"):
        pickle.loads(data)


def test_inline_secret_refuses_naming_the_option_and_the_ways_out() -> None:
    store = Store(TokenBackend("bk", token=VALUE))
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(store)
    assert info.value.option == "TokenBackend.token"
    assert "${VAR}" in str(info.value) and "allow_secret_pickling" in str(info.value)
    assert VALUE not in str(info.value)
    assert isinstance(info.value, TypeError)


def test_inline_secret_nested_in_a_table_is_refused() -> None:
    store = Store(TokenBackend("bk", extra={"auth": {"password": VALUE}}))
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(store)
    assert info.value.option == "TokenBackend.extra.auth.password"


def test_url_with_credentials_is_refused() -> None:
    store = Store(TokenBackend(f"https://user:{VALUE}@host/x"))
    with pytest.raises(SecretNotPicklable, match=r"TokenBackend\.bucket"):
        pickle.dumps(store)


def test_opt_in_carries_the_value_only_inside_the_block() -> None:
    store = Store(TokenBackend("bk", token=VALUE))
    with allow_secret_pickling():
        data = pickle.dumps(store)
    assert VALUE.encode() in data
    assert pickle.loads(data).backend.token.reveal() == VALUE
    with pytest.raises(SecretNotPicklable):
        pickle.dumps(store)


def test_credential_object_under_a_secret_name_is_refused() -> None:
    class Credential:
        secret = VALUE

    with pytest.raises(SecretNotPicklable, match=r"TokenBackend\.credential"):
        pickle.dumps(Store(TokenBackend("bk", credential=Credential())))


def test_unpicklable_option_is_a_typed_error_naming_it() -> None:
    with pytest.raises(NotPicklable, match=r"TokenBackend\.client") as info:
        pickle.dumps(Store(TokenBackend("bk", client=threading.Lock())))
    assert not isinstance(info.value, SecretNotPicklable)


def test_positional_arguments_survive() -> None:
    copy = pickle.loads(pickle.dumps(Store(TokenBackend("bk", "us"))))
    assert (copy.backend.bucket, copy.backend.region) == ("bk", "us")


def test_interpolated_plain_option_pickles_as_a_plain_string(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RS_BUCKET", "bucket-from-env")
    value = resolve_env({"bucket": "${RS_BUCKET}"})["bucket"]
    assert type(pickle.loads(pickle.dumps(value))) is str
    assert pickle.loads(pickle.dumps(value)) == "bucket-from-env"


# -- configs ------------------------------------------------------------------------


def test_config_pickles_with_references_never_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    config = env_config(monkeypatch, token="${RS_TEST_TOKEN}")
    data = pickle.dumps(config)
    assert VALUE.encode() not in data and b"***" not in data
    copy = pickle.loads(data)
    assert copy == config
    assert copy.backends["b"].options["token"].reveal() == VALUE


def test_config_with_an_inline_secret_refuses_naming_its_path() -> None:
    config = RegistryConfig.from_dict(
        {"backends": {"b": {"type": "memory", "options": {}}}, "stores": {}}
    )
    config.backends["b"].options["password"] = Secret(VALUE)
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(config)
    assert info.value.option == "$.backends.b.options.password"
    with pytest.raises(SecretNotPicklable):
        pickle.dumps(config.backends["b"])


# -- stores that are not plain --------------------------------------------------------


def test_cached_store_refuses_and_says_what_to_pickle() -> None:
    from remote_store import cache

    with pytest.raises(NotPicklable, match="inner"):
        pickle.dumps(cache(Store(MemoryBackend())))


def test_child_store_keeps_its_root() -> None:
    store = Store(MemoryBackend())
    store.write("a/b/c.txt", b"1")
    copy = pickle.loads(pickle.dumps(store.child("a")))
    assert copy.root_path == "a" and copy.read_bytes("b/c.txt") == b"1"


def test_file_info_paths_pickle() -> None:
    assert pickle.loads(pickle.dumps(RemotePath("a/b"))) == RemotePath("a/b")


# -- tokens -------------------------------------------------------------------------


def test_dask_token_is_stable_across_builds_and_carries_no_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = env_config(monkeypatch, token="${RS_TEST_TOKEN}")
    first, second = build(config), build(env_config(monkeypatch, token="${RS_TEST_TOKEN}"))
    assert first.__dask_tokenize__() == second.__dask_tokenize__()
    assert VALUE not in repr(first.__dask_tokenize__())
    other_root = Store(first.backend, "elsewhere")
    assert other_root.__dask_tokenize__() != first.__dask_tokenize__()
    inline = Store(TokenBackend("bk", token=VALUE))
    assert VALUE not in repr(inline.__dask_tokenize__())


def test_memory_tokens_differ_per_instance() -> None:
    one, two = Store(MemoryBackend()), Store(MemoryBackend())
    assert one.__dask_tokenize__() == one.__dask_tokenize__()
    assert one.__dask_tokenize__() != two.__dask_tokenize__()


# -- credentials inside a plain string option (a URL declared ``str``) ------------------


def _url_config(root: str) -> RegistryConfig:
    # local's ``root`` is declared ``str``: a URL there stays a plain string, not a Secret
    return RegistryConfig.from_dict(
        resolve_env({"backends": {"b": {"type": "local", "options": {"root": root}}}})
    )


def test_a_url_from_a_variable_travels_as_its_template(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RS_TEST_URL", f"x://reader:{VALUE}@host/data")
    config = _url_config("${RS_TEST_URL}")
    data = pickle.dumps(config)
    assert VALUE.encode() not in data and b"${RS_TEST_URL}" in data
    monkeypatch.setenv("RS_TEST_URL", "x://reader:other-side@host/data")
    assert pickle.loads(data).backends["b"].options["root"] == "x://reader:other-side@host/data"


def test_a_url_with_inline_credentials_refuses_to_pickle() -> None:
    config = _url_config(f"x://reader:{VALUE}@host/data")
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(config)
    assert info.value.option == "$.backends.b.options.root" and VALUE not in str(info.value)


def test_a_template_with_inline_credentials_refuses_to_pickle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RS_TEST_HOST", "host")
    config = _url_config(f"x://reader:{VALUE}@${{RS_TEST_HOST}}/data")
    with pytest.raises(SecretNotPicklable):
        pickle.dumps(config)
    with allow_secret_pickling():
        copy = pickle.loads(pickle.dumps(config))
    assert copy.backends["b"].options["root"] == f"x://reader:{VALUE}@host/data"


def test_a_plain_interpolated_string_still_pickles_as_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RS_TEST_DIR", "/srv/data")
    data = pickle.dumps(_url_config("${RS_TEST_DIR}"))
    assert b"/srv/data" in data and b"RS_TEST_DIR" not in data
