"""Pydantic models and settings give the same config as TOML, with secrets kept secret."""

from __future__ import annotations

import pathlib
import pickle

import pytest
from pydantic import BaseModel, SecretStr
from remote_store import Registry, RegistryConfig, Secret
from remote_store.errors import ConfigError, SecretNotPicklable

TOML = """
[backends.disk]
type = "local"
options.root = "{root}"

[stores.files]
backend = "disk"
root_path = "files"
"""


class DiskOptions(BaseModel):
    root: str
    password: SecretStr | None = None


class Backend(BaseModel):
    type: str
    options: dict[str, object]


class Store(BaseModel):
    backend: str
    root_path: str = ""


class Config(BaseModel):
    backends: dict[str, Backend]
    stores: dict[str, Store]


def test_pydantic_config_equals_the_toml_one(tmp_path: pathlib.Path) -> None:
    from remote_store.ext.pydantic import from_pydantic

    (tmp_path / "c.toml").write_text(TOML.format(root=tmp_path))
    model = Config(
        backends={"disk": Backend(type="local", options={"root": str(tmp_path)})},
        stores={"files": Store(backend="disk", root_path="files")},
    )
    assert from_pydantic(model) == RegistryConfig.from_toml(tmp_path / "c.toml")


def test_every_secretstr_stays_a_secret_even_under_plain_names() -> None:
    from remote_store.ext.pydantic import from_pydantic

    class Odd(BaseModel):
        backends: dict[str, dict[str, object]]

    model = Odd(backends={"m": {"type": "local", "options": {"root": SecretStr("/srv/x")}}})
    root = from_pydantic(model).backends["m"].options["root"]
    assert isinstance(root, Secret) and root.reveal() == "/srv/x"
    from remote_store_pydantic import _secrets_kept

    kept = _secrets_kept({"plain_name": SecretStr("hunter2"), "nested": [SecretStr("x")]})
    assert isinstance(kept["plain_name"], Secret) and kept["plain_name"].reveal() == "hunter2"
    assert isinstance(kept["nested"][0], Secret)
    assert "hunter2" not in repr(kept)
    with pytest.raises(SecretNotPicklable):  # an inline secret never travels in a pickle
        pickle.dumps(kept)


def test_settings_from_the_environment(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from remote_store.ext.pydantic import RegistrySettings

    monkeypatch.setenv("REMOTE_STORE_BACKENDS__DISK__TYPE", "local")
    monkeypatch.setenv("REMOTE_STORE_BACKENDS__DISK__OPTIONS__ROOT", str(tmp_path))
    monkeypatch.setenv("REMOTE_STORE_STORES__FILES__BACKEND", "disk")
    monkeypatch.setenv("REMOTE_STORE_STORES__FILES__ROOT_PATH", "files")
    (tmp_path / "c.toml").write_text(TOML.format(root=tmp_path))
    config = RegistrySettings().to_config()
    assert config == RegistryConfig.from_toml(tmp_path / "c.toml")
    with Registry(config) as registry:
        registry.get_store("files").write("a.txt", b"env")
    assert (tmp_path / "files" / "a.txt").read_bytes() == b"env"


def test_a_store_naming_an_unknown_backend_is_a_config_error() -> None:
    from remote_store.ext.pydantic import RegistrySettings, StoreSettings

    settings = RegistrySettings(stores={"s": StoreSettings(backend="nope")})
    with pytest.raises(ConfigError):
        settings.to_config()
