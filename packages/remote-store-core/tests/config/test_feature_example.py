"""The feature page's own TOML example loads and gives a working store."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pathlib
from typing import Any

import pytest
from remote_store._backend_types import register_backend
from remote_store._config import RegistryConfig
from remote_store._registry import Registry
from remote_store._secret import Secret, reveal
from remote_store.backends._memory import MemoryBackend
from remote_store.errors import ConfigError

FEATURE_PAGE_TOML = """
[backends.primary]
type = "s3"
options.bucket = "my-bucket"
options.access_key = "${AWS_ACCESS_KEY_ID}"
options.secret_key = "${AWS_SECRET_ACCESS_KEY}"

[stores.data]
backend = "primary"
root = "data/"
"""


class FakeS3(MemoryBackend):
    """Stands in for S3Backend: a memory backend with the page's options."""

    def __init__(self, bucket: str, access_key: Any, secret_key: Any) -> None:
        super().__init__()
        self.bucket = bucket
        self.access_key = access_key
        self.secret_key = secret_key


@pytest.fixture
def page_toml(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "page-example-secret")
    path = tmp_path / "remote-store.toml"
    path.write_text(FEATURE_PAGE_TOML)
    return path


def test_feature_page_example_loads_and_works(page_toml: pathlib.Path) -> None:
    # The options are checked against the class that "s3" names when the file is loaded:
    # register the stand-in (process-global, undone by the conftest fixture) so that an
    # installed remote-store-s3 does not judge them.
    register_backend("s3", FakeS3)
    config = RegistryConfig.from_toml(page_toml, resolve_env_vars=True)
    assert config.stores["data"].root_path == "data/"
    with Registry(config, backends={"s3": FakeS3}) as registry:
        store = registry.store("data")
        store.write("report.csv", b"a,b\n")
        assert store.read_bytes("report.csv") == b"a,b\n"
        backend = store._backend
        assert isinstance(backend, FakeS3)
        assert backend.bucket == "my-bucket"
        assert isinstance(backend.secret_key, Secret)
        assert reveal(backend.secret_key) == "page-example-secret"
        assert reveal(backend.access_key) == "AKIAEXAMPLE"
        assert registry.store("data").exists("report.csv")


@pytest.mark.skipif(
    importlib.util.find_spec("remote_store_s3") is None, reason="remote-store-s3 not installed"
)
def test_feature_page_example_constructs_the_real_s3_backend(page_toml: pathlib.Path) -> None:
    s3_backend = importlib.import_module("remote_store_s3").S3Backend
    if "access_key" not in inspect.signature(s3_backend).parameters:
        with pytest.raises(ConfigError, match="no option 'access_key'"):
            RegistryConfig.from_toml(page_toml, resolve_env_vars=True)
        pytest.xfail("S3Backend takes 0.27's key/secret, not the page's access_key/secret_key")
    config = RegistryConfig.from_toml(page_toml, resolve_env_vars=True)
    registry = Registry(config)
    backend = registry.store("data")._backend
    assert type(backend).__name__ == "S3Backend"
    registry.close()
