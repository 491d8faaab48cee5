"""RegistryConfig.from_dict / from_toml / from_file: COMPAT 4.2-4.3 and the strict rules."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from remote_store._config import BackendConfig, RegistryConfig, StoreProfile
from remote_store._config_schema import ConfigTypeError, MissingConfigKey
from remote_store._retry import RetryPolicy
from remote_store._secret import Secret
from remote_store.errors import ConfigError

MEMORY: dict[str, Any] = {"backends": {"m": {"type": "memory"}}}


def config(**stores: Any) -> dict[str, Any]:
    return {**MEMORY, "stores": stores}


def test_minimal_dict_builds_backend_and_store_profiles() -> None:
    loaded = RegistryConfig.from_dict(config(data={"backend": "m", "root_path": "d"}))
    assert loaded.backends == {"m": BackendConfig(type="memory")}
    assert loaded.stores == {"data": StoreProfile(backend="m", root_path="d")}


def test_empty_dict_is_an_empty_config() -> None:
    assert RegistryConfig.from_dict({}) == RegistryConfig()


def test_store_accepts_root_alias() -> None:
    loaded = RegistryConfig.from_dict(config(data={"backend": "m", "root": "data/"}))
    assert loaded.stores["data"].root_path == "data/"


def test_store_refuses_root_and_root_path_together() -> None:
    with pytest.raises(ConfigError, match="not both"):
        RegistryConfig.from_dict(config(data={"backend": "m", "root": "a", "root_path": "b"}))


def test_none_root_path_and_options_mean_defaults() -> None:
    loaded = RegistryConfig.from_dict(
        {
            "backends": {"m": {"type": "memory", "options": None}},
            "stores": {"s": {"backend": "m", "root_path": None, "options": None}},
        }
    )
    assert loaded.stores["s"] == StoreProfile(backend="m")
    assert loaded.backends["m"].options == {}


def test_unknown_top_level_key_is_an_error_with_did_you_mean() -> None:
    with pytest.raises(ConfigError, match=r"\$: unknown key 'store'.*did you mean 'stores'"):
        RegistryConfig.from_dict({**MEMORY, "store": {}})


def test_unknown_backend_key_is_an_error_with_did_you_mean() -> None:
    with pytest.raises(ConfigError, match=r"\$\.backends\.m: unknown key 'option'.*'options'"):
        RegistryConfig.from_dict({"backends": {"m": {"type": "memory", "option": {}}}})


def test_unknown_store_key_is_an_error_with_did_you_mean() -> None:
    with pytest.raises(ConfigError, match=r"\$\.stores\.s: unknown key 'rootpath'.*'root_path'"):
        RegistryConfig.from_dict(config(s={"backend": "m", "rootpath": "x"}))


def test_unknown_retry_key_is_an_error_with_did_you_mean() -> None:
    data = {"backends": {"b": {"type": "x-uninstalled", "retry": {"max_attempt": 2}}}}
    with pytest.raises(ConfigError, match=r"\.retry: unknown key 'max_attempt'.*'max_attempts'"):
        RegistryConfig.from_dict(data)


def test_missing_type_is_a_config_error_and_a_key_error() -> None:
    with pytest.raises(
        MissingConfigKey, match=r"\$\.backends\.m: missing required key 'type'"
    ) as e:
        RegistryConfig.from_dict({"backends": {"m": {"options": {}}}})
    assert isinstance(e.value, KeyError)
    assert isinstance(e.value, ConfigError)


def test_missing_store_backend_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="'backend'"):
        RegistryConfig.from_dict(config(s={"root_path": "x"}))


def test_store_naming_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(
        ConfigError, match=r"\$\.stores\.s\.backend: unknown backend 'n'; configured backends: m"
    ):
        RegistryConfig.from_dict(config(s={"backend": "n"}))


def test_validate_catches_a_directly_built_bad_config() -> None:
    bad = RegistryConfig(backends={}, stores={"s": StoreProfile(backend="gone")})
    with pytest.raises(ValueError, match="unknown backend 'gone'"):
        bad.validate()


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"backends": []}, r"\$\.backends: expected a table, got a array"),
        ({"stores": "x"}, r"\$\.stores: expected a table, got a string"),
        ({"backends": {"m": "memory"}}, r"\$\.backends\.m: expected a table"),
        ({"backends": {"m": {"type": 3}}}, r"\$\.backends\.m\.type: expected a string"),
        (
            {"backends": {"m": {"type": "memory", "options": [1]}}},
            r"\$\.backends\.m\.options: expected a table",
        ),
        (
            {"backends": {"m": {"type": "memory", "retry": 5}}},
            r"\$\.backends\.m\.retry: expected a table, got a int",
        ),
        ({**MEMORY, "stores": {"s": {"backend": 1}}}, r"\$\.stores\.s\.backend: expected a string"),
        (
            {**MEMORY, "stores": {"s": {"backend": "m", "root": 2}}},
            r"\$\.stores\.s\.root: expected a string",
        ),
        (
            {**MEMORY, "stores": {"s": {"backend": "m", "options": "x"}}},
            r"\$\.stores\.s\.options: expected a table",
        ),
    ],
)
def test_wrong_types_name_the_config_path(data: dict[str, Any], where: str) -> None:
    with pytest.raises(ConfigTypeError, match=where) as e:
        RegistryConfig.from_dict(data)
    assert isinstance(e.value, TypeError)


def test_top_level_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match=r"\$: expected a table"):
        RegistryConfig.from_dict(["backends"])  # type: ignore[arg-type]


def test_empty_type_is_refused() -> None:
    with pytest.raises(ConfigError, match="must not be empty"):
        RegistryConfig.from_dict({"backends": {"m": {"type": ""}}})


def test_retry_table_becomes_a_retry_policy() -> None:
    data = {"backends": {"b": {"type": "x-uninstalled", "retry": {"max_attempts": 5}}}}
    assert RegistryConfig.from_dict(data).backends["b"].retry == RetryPolicy(max_attempts=5)


def test_retry_policy_instance_is_accepted() -> None:
    policy = RetryPolicy(max_attempts=2)
    data = {"backends": {"b": {"type": "x-uninstalled", "retry": policy}}}
    assert RegistryConfig.from_dict(data).backends["b"].retry is policy


@pytest.mark.parametrize(
    "retry",
    [{"max_attempts": 0}, {"backoff_base": -1}, {"timeout": 0}, {"max_attempts": "3"}],
)
def test_bad_retry_values_are_config_errors_naming_the_path(retry: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"\$\.backends\.b\.retry: "):
        RegistryConfig.from_dict({"backends": {"b": {"type": "x-uninstalled", "retry": retry}}})


def test_options_are_checked_against_the_installed_constructor() -> None:
    with pytest.raises(ConfigError, match=r"\$\.backends\.l\.options: .*no option 'rot'.*'root'"):
        RegistryConfig.from_dict({"backends": {"l": {"type": "local", "options": {"rot": "/x"}}}})


def test_missing_required_constructor_option_is_refused_at_load() -> None:
    with pytest.raises(ConfigError, match=r"needs option 'root'"):
        RegistryConfig.from_dict({"backends": {"l": {"type": "local"}}})


def test_retry_for_a_backend_without_retry_parameter_is_refused_at_load() -> None:
    data = {"backends": {"m": {"type": "memory", "retry": {"max_attempts": 2}}}}
    with pytest.raises(ConfigError, match=r"\$\.backends\.m\.retry: .*no retry policy"):
        RegistryConfig.from_dict(data)


def test_uninstalled_type_loads_and_fails_only_when_used() -> None:
    loaded = RegistryConfig.from_dict({"backends": {"x": {"type": "x-uninstalled"}}})
    assert loaded.backends["x"].type == "x-uninstalled"


def test_from_dict_does_not_interpolate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RS_BUCKET", "real")
    loaded = RegistryConfig.from_dict(
        {"backends": {"b": {"type": "x-uninstalled", "options": {"bucket": "${RS_BUCKET}"}}}}
    )
    assert loaded.backends["b"].options["bucket"] == "${RS_BUCKET}"


# -- files ------------------------------------------------------------------------------

TOML = """
[backends.m]
type = "memory"

[backends.far]
type = "x-uninstalled"
options.bucket = "${RS_TEST_BUCKET}"
options.key = "${RS_TEST_KEY:-fallback-key}"

[backends.far.retry]
max_attempts = 5

[stores.data]
backend = "m"
root_path = "data"
"""


def test_from_toml_reads_layout_of_compat_4_3(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "rs.toml"
    path.write_text(TOML)
    loaded = RegistryConfig.from_toml(path)
    assert loaded.backends["far"].retry == RetryPolicy(max_attempts=5)
    assert loaded.backends["far"].options["bucket"] == "${RS_TEST_BUCKET}"
    assert loaded.stores["data"].root_path == "data"


def test_from_toml_resolves_env_vars_before_wrapping_secrets(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RS_TEST_BUCKET", "bkt")
    monkeypatch.delenv("RS_TEST_KEY", raising=False)
    path = tmp_path / "rs.toml"
    path.write_text(TOML)
    options = RegistryConfig.from_toml(path, resolve_env_vars=True).backends["far"].options
    assert options["bucket"] == "bkt"
    assert options["key"] == Secret("fallback-key")
    assert isinstance(options["key"], Secret)


def test_from_toml_reads_a_sub_table_of_pyproject(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname="x"\n[tool.remote-store.backends.m]\ntype = "memory"\n')
    loaded = RegistryConfig.from_toml(path, table=("tool", "remote-store"))
    assert set(loaded.backends) == {"m"}


def test_from_toml_missing_sub_table_is_a_config_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.other]\nx = 1\n")
    with pytest.raises(ConfigError, match=r"no table \[tool.remote-store\]"):
        RegistryConfig.from_toml(path, table=("tool", "remote-store"))


def test_from_toml_syntax_error_is_a_config_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[backends\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        RegistryConfig.from_toml(path)


def test_from_toml_missing_file_is_file_not_found(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        RegistryConfig.from_toml(tmp_path / "none.toml")


def test_from_file_loads_toml_through_the_hook(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "rs.TOML"
    path.write_text(TOML)
    assert RegistryConfig.from_file(path) == RegistryConfig.from_toml(path)


def test_from_file_unknown_suffix_lists_supported_and_names_the_plugin(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pluggy
    from remote_store._plugins import reset_plugin_manager

    # as on an install without remote-store-yaml: the core's own plugins only
    load_all = pluggy.PluginManager.load_setuptools_entrypoints

    def without_yaml(self: pluggy.PluginManager, group: str, name: str | None = None) -> int:
        self.set_blocked("yaml")
        return load_all(self, group, name)

    monkeypatch.setattr(pluggy.PluginManager, "load_setuptools_entrypoints", without_yaml)
    reset_plugin_manager()
    path = tmp_path / "rs.yaml"
    path.write_text("backends: {}\n")
    try:
        with pytest.raises(ConfigError, match=r"supported: \.toml\); install remote-store-yaml"):
            RegistryConfig.from_file(path)
    finally:
        monkeypatch.undo()
        reset_plugin_manager()


def test_from_file_other_suffix_names_the_hook(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "rs.ini"
    path.write_text("[x]\n")
    with pytest.raises(ConfigError, match="remote_store_load_config"):
        RegistryConfig.from_file(path)


def test_from_file_uses_a_registered_loader_plugin(tmp_path: pathlib.Path) -> None:
    import json

    from remote_store._plugins import get_plugin_manager
    from remote_store.hookspecs import hookimpl

    class JsonLoader:
        @hookimpl
        def remote_store_load_config(self, path: pathlib.Path) -> dict[str, Any] | None:
            return json.loads(path.read_text()) if path.suffix == ".json" else None

        @hookimpl
        def remote_store_config_suffixes(self) -> list[str]:
            return [".json"]

    get_plugin_manager().register(JsonLoader())
    path = tmp_path / "rs.json"
    path.write_text('{"backends": {"m": {"type": "memory"}}}')
    assert set(RegistryConfig.from_file(path).backends) == {"m"}
