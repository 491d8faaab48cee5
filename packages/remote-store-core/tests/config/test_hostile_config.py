"""A hostile-config corpus: every case is a ConfigError naming the file and the config
path, never a builtin, a hang or a crash.

The wrong-type cases are generated from the declared option types of every backend type
installed in the test environment (entry points of ``remote_store.backends``).
"""

from __future__ import annotations

import gc
import math
import pathlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from remote_store import RegistryConfig, _backend_types
from remote_store._discovery import BACKEND_GROUP, providers
from remote_store._option_types import OptionType, check_option, declared_options
from remote_store._retry import RetryPolicy
from remote_store._secret import redact_text
from remote_store.errors import ConfigError


def _load(
    tmp_path: pathlib.Path,
    text: str | bytes,
    name: str = "hostile.toml",
    *,
    resolve_env_vars: bool = False,
) -> float:
    """Load ``text`` as a TOML config; it must fail with a ConfigError naming the file.
    Returns the CPU time the load took (see :func:`_cpu_time`)."""
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)

    def load() -> None:
        with pytest.raises(ConfigError) as info:
            RegistryConfig.from_toml(path, resolve_env_vars=resolve_env_vars)
        assert str(path) in str(info.value)

    return _cpu_time(load)


def _cpu_time(action: Callable[[], object], bound: float | None = None) -> float:
    """The CPU time this thread spends in ``action()``: the least of up to three tries,
    trying again only while a try is over ``bound`` (default :data:`BOUND`).

    CPU time, not wall time, and with the garbage collector held off: a collection walks
    the whole test process's heap, so it charges the code under test for what earlier
    tests left behind (one try took 1.25 s in CI for what takes 0.035 s alone). Another
    try absorbs the remaining noise (a busy core, a cold cache); a quadratic or
    per-character Python scan is slow on every try, by orders of magnitude.
    """
    limit = BOUND if bound is None else bound
    least = math.inf
    for _ in range(3):
        gc.collect()
        gc.disable()
        started = time.thread_time()
        try:
            action()
        finally:
            took = time.thread_time() - started
            gc.enable()
        least = min(least, took)
        if least < limit:
            break
    return least


def test_the_cpu_time_guard_sees_slow_work_on_every_try() -> None:
    """The guard can fail: work that is slow on every try is reported slow, and tried
    three times before that verdict; work under the bound is tried once."""
    tries: list[float] = []

    def burn() -> None:
        tries.append(0.0)
        deadline = time.thread_time() + 0.03
        while time.thread_time() < deadline:
            pass

    assert _cpu_time(burn, bound=0.01) >= 0.03
    assert len(tries) == 3
    tries.clear()
    assert _cpu_time(burn, bound=1.0) >= 0.03
    assert len(tries) == 1


# -- files that are not text, not files, or absurdly shaped ----------------------------


def test_non_utf8_toml(tmp_path: pathlib.Path) -> None:
    assert _load(tmp_path, b'[backends.a]\ntype = "\xff\xfe local"\n') < BOUND


def test_a_folder_as_the_config_path(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "conf.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match=r"conf\.toml"):
        RegistryConfig.from_toml(folder)
    with pytest.raises(ConfigError, match="folder"):
        RegistryConfig.from_file(folder)


def test_a_missing_file_stays_file_not_found(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        RegistryConfig.from_toml(tmp_path / "absent.toml")


@pytest.mark.parametrize("depth", [100, 5_000, 100_000])
def test_deeply_nested_arrays(tmp_path: pathlib.Path, depth: int) -> None:
    text = '[backends.a]\ntype = "memory"\noptions = { x = ' + "[" * depth + "]" * depth + " }\n"
    assert _load(tmp_path, text) < BOUND  # a ConfigError naming the file (see _load)


@pytest.mark.parametrize("depth", [100, 5_000])
def test_deeply_nested_tables(tmp_path: pathlib.Path, depth: int) -> None:
    text = "[backends.a]\ntype = 'memory'\n[backends.a.options." + ".".join(["t"] * depth) + "]\n"
    assert _load(tmp_path, text) < BOUND  # a ConfigError naming the file (see _load)


@pytest.mark.parametrize("depth", [100, 5_000])
def test_deeply_nested_inline_tables(tmp_path: pathlib.Path, depth: int) -> None:
    text = "[backends.a]\ntype = 'memory'\noptions = " + "{a = " * depth + "1" + "}" * depth
    assert _load(tmp_path, text) < BOUND  # a ConfigError naming the file (see _load)


def test_deeply_nested_data_from_python() -> None:
    data: Any = "leaf"
    for _ in range(10_000):
        data = {"x": data}
    with pytest.raises(ConfigError, match="nest deeper"):
        RegistryConfig.from_dict({"backends": {"a": {"type": "memory", "options": data}}})


HUGE_STRINGS: dict[str, Callable[[], str]] = {  # 20 MB each, built when a test runs
    "letters": lambda: "a" * 20_000_000,
    "spaces": lambda: "a " * 10_000_000,
    "schemes": lambda: "http://" * 3_000_000,
    "query": lambda: "?a=b&" * 4_000_000,
    "equals": lambda: "=" * 20_000_000,
    "fields": lambda: "&a=b" * 5_000_000,
    "long names": lambda: ("&" + "a" * 127 + "=b") * 150_000,
    "delimiters, then a field": lambda: "? " * 10_000_000 + "password=abcd",
    "secret fields": lambda: "password=x " * 2_000_000,
    "placeholders": lambda: "${" * 10_000_000,
    "escapes": lambda: "$${a" * 5_000_000,
    "dollars": lambda: "$" * 20_000_000,
    "userinfo": lambda: ("x://" + "u:p" * 100 + "@h ") * 50_000,
    "bare userinfo": lambda: "://a@" * 4_000_000,
}
#: One bound for every source: the issue's "each loaded in < 1 s" (CPU time).
BOUND = 1.0


def _huge_toml(blob: str) -> str:
    # ``root = 5``: a wrong type, so that every case ends in a ConfigError after the scans
    return f"[backends.a]\ntype = 'local'\noptions = {{ root = 5, blob = '{blob}' }}\n"


@pytest.mark.parametrize("shape", sorted(HUGE_STRINGS))
def test_huge_option_strings_load_quickly(tmp_path: pathlib.Path, shape: str) -> None:
    """A 20 MB option value of a hostile shape in a TOML file: a ConfigError naming the
    file (the size cap), reached in under a second."""
    assert _load(tmp_path, _huge_toml(HUGE_STRINGS[shape]())) < BOUND


DICT_AND_ENV_SHAPES = ["equals", "escapes", "long names", "secret fields", "bare userinfo"]


@pytest.mark.parametrize("shape", DICT_AND_ENV_SHAPES)
def test_huge_option_strings_from_a_dict_load_quickly(shape: str) -> None:
    data = {
        "backends": {"a": {"type": "local", "options": {"root": 5, "blob": HUGE_STRINGS[shape]()}}}
    }

    def load() -> None:
        with pytest.raises(ConfigError, match=r"\$\.backends\.a\.options\.root"):
            RegistryConfig.from_dict(data)

    assert _cpu_time(load) < BOUND


@pytest.mark.parametrize("shape", DICT_AND_ENV_SHAPES)
def test_huge_option_strings_from_a_variable_load_quickly(
    tmp_path: pathlib.Path, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 20 MB value comes through ``${VAR}`` interpolation."""
    monkeypatch.setenv("RS_HOSTILE_VALUE", HUGE_STRINGS[shape]())
    text = _huge_toml("${RS_HOSTILE_VALUE}")
    assert _load(tmp_path, text, resolve_env_vars=True) < BOUND


@pytest.mark.parametrize(
    ("template", "error"),
    [
        (lambda: "$${" * 6_000_000 + "${", "unterminated"),
        (lambda: "$${a" * 5_000_000 + "${RS_HOSTILE_SET}", r"options\.root"),
        (lambda: "${" + "a" * 20_000_000, "unterminated"),
        (
            lambda: "${RS_HOSTILE_SET}" * 1_200_000,
            "more than 1000 '\\$\\{\\.\\.\\.\\}' placeholders",
        ),
        (
            lambda: "${" + "a" * 20_000_000 + "}",
            r"variable 'a{64}'\.\.\. \(20000000 characters\) is not set",
        ),
        (lambda: "${" + "-" * 20_000_000 + "}", r"invalid variable name '-{64}'\.\.\."),
    ],
    ids=[
        "escapes then a lone one",
        "escapes and a placeholder",
        "a lone one",
        "many",
        "long name",
        "long invalid name",
    ],
)
def test_huge_templates_resolve_quickly(
    tmp_path: pathlib.Path,
    template: Callable[[], str],
    error: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """20 MB of placeholder syntax: the Python work grows with the placeholders (at most
    1000 per value), never with the text; a long name is not echoed whole."""
    monkeypatch.setenv("RS_HOSTILE_SET", "x")
    # as parsed from a file (a 20 MB file is refused unread: see the size cap below)
    data = {"backends": {"a": {"type": "local", "options": {"root": 5, "blob": template()}}}}

    def load() -> None:
        with pytest.raises(ConfigError, match=error) as info:
            RegistryConfig._from_loaded(data, resolve_env_vars=True)
        assert len(str(info.value)) < 1_000

    assert _cpu_time(load) < BOUND


def test_huge_unknown_key_is_not_echoed_whole(tmp_path: pathlib.Path) -> None:
    key = "k" * 5_000_000
    path = tmp_path / "key.toml"
    path.write_text(f"[backends.a]\ntype = 'memory'\n{key} = 1\n")
    with pytest.raises(ConfigError) as info:
        RegistryConfig.from_toml(path)
    assert len(str(info.value)) < 1_000


def test_huge_placeholder_resolution(tmp_path: pathlib.Path) -> None:
    data = {"backends": {"a": {"type": "memory", "options": {"x": "$${" * 3_000_000 + "${"}}}}
    with pytest.raises(ConfigError, match="unterminated"):
        RegistryConfig._from_loaded(data, resolve_env_vars=True)


# -- the URL and field scanners are linear ---------------------------------------------


@pytest.mark.parametrize(
    "shape",
    ["a", "a ", "a=", "=", "http://", "?", "password=", "x://u:p@", "&a=b", "&" + "a" * 127 + "=b"],
)
def test_redaction_scan_of_2_mb_is_linear(shape: str) -> None:
    """Masking 2 MB of any shape takes milliseconds of CPU (a scan that tries a
    look-behind at every position took seconds, a quadratic one minutes)."""
    text = shape * (2_000_000 // len(shape))
    assert _cpu_time(lambda: redact_text(text), bound=0.5) < 0.5


# -- retry numbers ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["backoff_base", "backoff_max", "jitter", "timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_retry_refuses_non_finite_numbers(tmp_path: pathlib.Path, field: str, value: str) -> None:
    text = f"[backends.a]\ntype = 'memory'\n[backends.a.retry]\n{field} = {value}\n"
    path = tmp_path / "retry.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=rf"retry\.toml: \$\.backends\.a\.retry: {field}"):
        RegistryConfig.from_toml(path)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"backoff_base": math.nan},
        {"jitter": math.inf},
        {"timeout": math.inf},
        {"backoff_max": 1e300 * 1e300},
        {"max_attempts": 2**80},
        {"max_attempts": 10**5000},
        {"timeout": "30"},
    ],
)
def test_retry_policy_refuses_hostile_numbers(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        RetryPolicy(**kwargs)


def test_a_long_policy_never_overflows() -> None:
    delays = list(RetryPolicy(max_attempts=2_000, backoff_base=1.0, jitter=0).delays())
    assert delays[-1] == 60.0


# -- wrong option types, for every option of every installed backend type --------------


def _installed_types() -> list[str]:
    return sorted(providers(BACKEND_GROUP))


def _wrong_values(declared: OptionType) -> list[Any]:
    """Values a config file can hold that the declared type refuses."""
    candidates: list[Any] = [
        "twenty-two",
        1e30,
        math.nan,
        math.inf,
        2**70,
        True,
        17,
        [1, 2],
        {"nested": 1},
    ]
    wrong = []
    for value in candidates:
        try:
            check_option(value, declared, "$")
        except ConfigError:
            wrong.append(value)
    return wrong


def _cases() -> list[tuple[str, str, Any]]:
    cases: list[tuple[str, str, Any]] = []
    for type_name in _installed_types():
        factory = _backend_types.try_resolve_backend_class(type_name)
        found = declared_options(factory) if factory is not None else None
        if found is None:
            continue
        for option, declared in sorted(found[0].items()):
            if option == "retry":
                continue
            cases.extend((type_name, option, value) for value in _wrong_values(declared))
    return cases


CASES = _cases()


def test_every_installed_backend_type_is_covered() -> None:
    covered = {type_name for type_name, _, _ in CASES}
    assert "local" in covered  # the core's own type with options; plugins add theirs


@pytest.mark.parametrize(
    ("type_name", "option", "value"),
    CASES,
    ids=[f"{t}.{o}={v!r}"[:60] for t, o, v in CASES],
)
def test_wrong_option_type_names_the_path(type_name: str, option: str, value: Any) -> None:
    data = {"backends": {"b1": {"type": type_name, "options": {option: value}}}}
    with pytest.raises(ConfigError) as info:
        RegistryConfig.from_dict(data)
    assert f"$.backends.b1.options.{option}" in str(info.value)


def test_wrong_types_in_a_file_name_file_backend_and_option(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "ports.toml"
    path.write_text("[backends.disk]\ntype = 'local'\noptions = { root = 22 }\n")
    with pytest.raises(ConfigError) as info:
        RegistryConfig.from_toml(path)
    message = str(info.value)
    assert message.startswith(f"{path}: $.backends.disk.options.root: expected a string")


@pytest.mark.parametrize("loader", ["from_toml", "from_file"])
def test_a_config_file_over_the_size_cap_is_refused_unread(
    tmp_path: pathlib.Path, loader: str
) -> None:
    # double quotes: the slowest TOML string for the stdlib parser (2 s of CPU for 20 MB)
    from remote_store._config_loaders import MAX_CONFIG_BYTES

    path = tmp_path / "huge.toml"
    path.write_text(f'[backends.a]\ntype = "local"\noptions = {{ blob = "{"a" * 20_000_000}" }}\n')

    def load() -> None:
        with pytest.raises(ConfigError, match="larger than 4 MiB") as info:
            getattr(RegistryConfig, loader)(path)
        assert str(path) in str(info.value)

    assert _cpu_time(load, bound=0.2) < 0.2
    small = tmp_path / "small.toml"  # just under the cap: parsed as usual
    small.write_text(f"# {'x' * (MAX_CONFIG_BYTES - 64)}\n[stores]\n")
    assert getattr(RegistryConfig, loader)(small).stores == {}
