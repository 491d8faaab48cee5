"""resolve_env: ${VAR}, ${VAR:-default}, $${ and the errors naming the config path (COMPAT 4.4)."""

from __future__ import annotations

import pytest
from remote_store._env import resolve_env
from remote_store.errors import ConfigError, UnsetVariable


def test_variable_is_replaced_inside_text() -> None:
    assert resolve_env({"a": "s3://${B}/x"}, environ={"B": "bkt"}) == {"a": "s3://bkt/x"}


def test_default_is_used_only_when_the_variable_is_absent() -> None:
    data = {"a": "${A:-dflt}", "b": "${B:-dflt}"}
    assert resolve_env(data, environ={"B": ""}) == {"a": "dflt", "b": ""}


def test_double_dollar_is_a_literal_placeholder() -> None:
    assert resolve_env({"a": "$${HOME} and ${X}"}, environ={"X": "1"}) == {"a": "${HOME} and 1"}


def test_nested_tables_and_lists_are_walked() -> None:
    data = {"backends": {"s": {"options": {"hosts": ["${H}", 3, {"k": "${H}"}]}}}}
    out = resolve_env(data, environ={"H": "h"})
    assert out == {"backends": {"s": {"options": {"hosts": ["h", 3, {"k": "h"}]}}}}


def test_input_is_not_modified() -> None:
    data = {"a": {"b": "${X}"}}
    resolve_env(data, environ={"X": "1"})
    assert data == {"a": {"b": "${X}"}}


def test_unset_variable_names_variable_and_config_path() -> None:
    data = {"backends": {"s3": {"options": {"key": "${AWS_KEY}"}}}}
    with pytest.raises(UnsetVariable, match=r"'AWS_KEY'.*\$\.backends\.s3\.options\.key") as e:
        resolve_env(data, environ={})
    assert isinstance(e.value, KeyError)
    assert isinstance(e.value, ConfigError)


def test_unset_variable_in_a_list_names_the_index() -> None:
    with pytest.raises(UnsetVariable, match=r"\$\.hosts\[1\]"):
        resolve_env({"hosts": ["a", "${NOPE}"]}, environ={})


def test_unterminated_placeholder_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\$\.a: unterminated"):
        resolve_env({"a": "${OPEN"}, environ={})


def test_invalid_variable_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="invalid variable name '1X'"):
        resolve_env({"a": "${1X}"}, environ={})


def test_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RS_ENV_TEST", "yes")
    assert resolve_env({"a": "${RS_ENV_TEST}"}) == {"a": "yes"}
