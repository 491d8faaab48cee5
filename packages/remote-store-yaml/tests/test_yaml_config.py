"""YAML configs load through from_yaml and through the config-loader hook."""

from __future__ import annotations

import pathlib

import pytest
from remote_store import Registry, RegistryConfig, Secret
from remote_store.discovery import reset_plugin_manager
from remote_store.errors import ConfigError, UnsetVariable

TOML = """
[backends.primary]
type = "memory"

[backends.disk]
type = "local"
options.root = "{root}"

[stores.data]
backend = "primary"
root = "data/"

[stores.files]
backend = "disk"
root_path = "files"
"""

YAML = """
backends:
  primary:
    type: memory
  disk:
    type: local
    options:
      root: "{root}"
stores:
  data:
    backend: primary
    root: data/
  files:
    backend: disk
    root_path: files
"""


@pytest.fixture(autouse=True)
def fresh_plugins() -> None:
    reset_plugin_manager()


def test_yaml_config_equals_the_toml_one(tmp_path: pathlib.Path) -> None:
    from remote_store.ext.yaml import from_yaml

    (tmp_path / "c.toml").write_text(TOML.format(root=tmp_path / "disk"))
    (tmp_path / "c.yaml").write_text(YAML.format(root=tmp_path / "disk"))
    assert from_yaml(tmp_path / "c.yaml") == RegistryConfig.from_toml(tmp_path / "c.toml")


def test_from_file_picks_the_yaml_loader_through_the_hook(tmp_path: pathlib.Path) -> None:
    for suffix in (".yaml", ".yml"):
        path = tmp_path / f"c{suffix}"
        path.write_text(YAML.format(root=tmp_path / "disk"))
        config = RegistryConfig.from_file(path)
        with Registry(config) as registry:
            store = registry.get_store("files")
            store.write("a.txt", suffix.encode(), overwrite=True)
            assert (tmp_path / "disk" / "files" / "a.txt").read_bytes() == suffix.encode()


def test_env_vars_resolve_only_when_asked(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from remote_store.ext.yaml import from_yaml

    path = tmp_path / "c.yaml"
    path.write_text("backends:\n  d:\n    type: local\n    options:\n      root: ${RS_YAML_ROOT}\n")
    monkeypatch.setenv("RS_YAML_ROOT", str(tmp_path / "env"))
    assert from_yaml(path, resolve_env_vars=True).backends["d"].options["root"] == str(
        tmp_path / "env"
    )
    monkeypatch.delenv("RS_YAML_ROOT")
    with pytest.raises(UnsetVariable):
        from_yaml(path, resolve_env_vars=True)


def test_secrets_in_yaml_are_wrapped(tmp_path: pathlib.Path) -> None:
    from remote_store.ext.yaml import load_yaml

    path = tmp_path / "c.yaml"
    path.write_text("backends:\n  d:\n    type: memory\n")
    assert load_yaml(path)["backends"]["d"]["type"] == "memory"
    cfg = RegistryConfig.from_dict(
        {"backends": {"m": {"type": "local", "options": {"root": str(tmp_path)}}}}
    )
    assert not any(isinstance(v, Secret) for v in cfg.backends["m"].options.values())


@pytest.mark.parametrize(
    ("text", "error"),
    [("- a\n- b\n", TypeError), ("a: [1, 2\n", ConfigError), ("backends: 3\n", ConfigError)],
)
def test_bad_yaml_is_a_typed_error(
    tmp_path: pathlib.Path, text: str, error: type[Exception]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(error):
        RegistryConfig.from_file(path)


def test_yaml_never_constructs_python_objects(tmp_path: pathlib.Path) -> None:
    from remote_store.ext.yaml import load_yaml

    path = tmp_path / "evil.yaml"
    path.write_text("a: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigError):
        load_yaml(path)
