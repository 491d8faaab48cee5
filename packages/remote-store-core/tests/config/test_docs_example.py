"""The TOML example of docs/configuration.md loads and runs."""

from __future__ import annotations

import pathlib
import re

import pytest
from remote_store._config import RegistryConfig
from remote_store._registry import Registry

DOC = pathlib.Path(__file__).resolve().parents[4] / "docs" / "configuration.md"


def test_configuration_doc_example_runs(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    match = re.search(r"```toml\n(.*?)```", DOC.read_text(), re.S)
    assert match is not None
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "remote-store.toml"
    path.write_text(match.group(1))
    config = RegistryConfig.from_toml(path, resolve_env_vars=True)
    with Registry(config) as registry:
        registry.store("uploads").write("hello.txt", b"hi")
        registry.store("cache").write("x", b"1")
        assert registry.store("cache").read_bytes("x") == b"1"
    assert (tmp_path / "data" / "uploads" / "hello.txt").read_bytes() == b"hi"
