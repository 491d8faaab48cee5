"""A leak scan for backend packages: credentials must not show on any surface.

:func:`scan_backend` loads one backend config in three shapes (a dict, a TOML file with
the values inline, a TOML file with ``${VAR}`` placeholders), opens the store through a
:class:`~remote_store.Registry`, runs the package's own operations against its live
server, and collects every text a user or an operator sees: reprs and strs of the config,
registry, store and backend, ``native_path`` and ``resolve()``, ``remote_store.info()``,
the bytes of a pickled config and store (an inline secret must refuse to pickle, a
``${VAR}`` one travels as its reference), the message, repr and formatted traceback of
every exception raised, and every log record of every logger (remote-store's and the
SDKs') at DEBUG. It returns the leaks
found: ``"<surface>: <first characters of the secret>..."`` lines (empty: no leak).
"""

from __future__ import annotations

import io
import json
import logging
import os
import pathlib
import pickle
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

from remote_store import Registry, RegistryConfig, Store, info

__all__ = ["LeakScan", "scan_backend"]

#: Loggers set to DEBUG during a scan (their records must be masked while a store is open).
SDK_LOGGERS = (
    "botocore",
    "boto3",
    "aiobotocore",
    "s3fs",
    "fsspec",
    "urllib3",
    "httpx",
    "httpcore",
    "azure",
    "paramiko",
    "asyncssh",
    "sqlalchemy",
)


class LeakScan:
    """Collects texts from surfaces and every log record, then looks for the secrets."""

    def __init__(self, secrets: list[str]) -> None:
        self.secrets = [s for s in secrets if s]
        self.texts: list[tuple[str, str]] = []
        self.log = io.StringIO()

    def see(self, surface: str, value: object) -> None:
        """Record what ``surface`` shows (``repr`` for a non-string, bytes as Latin-1)."""
        if isinstance(value, bytes):
            text = value.decode("latin-1")
        else:
            text = value if isinstance(value, str) else repr(value)
        self.texts.append((surface, text))

    def call(self, surface: str, action: Callable[[], Any]) -> Any:
        """Run ``action``; an exception is recorded (message, repr, traceback), not raised."""
        try:
            result = action()
        except Exception as exc:
            self.see(f"{surface} (error str)", str(exc))
            self.see(f"{surface} (error repr)", repr(exc))
            self.see(f"{surface} (traceback)", "".join(traceback.format_exception(exc)))
            return None
        self.see(f"{surface} (result)", result)
        return result

    @contextmanager
    def capturing_logs(self) -> Iterator[None]:
        """Every record of every logger at DEBUG, formatted with its traceback."""
        handler = logging.StreamHandler(self.log)
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        handler.setLevel(logging.DEBUG)
        root = logging.getLogger()
        previous = {name: logging.getLogger(name).level for name in SDK_LOGGERS}
        root_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        for name in SDK_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        try:
            yield
        finally:
            root.removeHandler(handler)
            root.setLevel(root_level)
            for name, level in previous.items():
                logging.getLogger(name).setLevel(level)

    def leaks(self) -> list[str]:
        """``surface: secret...`` for every secret found in any text or log record."""
        found = []
        for surface, text in [*self.texts, ("logs", self.log.getvalue())]:
            for secret in self.secrets:
                if secret in text:
                    found.append(f"{surface}: {secret[:4]}...")
        return sorted(set(found))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _placeholders(value: Any, secrets: list[str], env: dict[str, str]) -> Any:
    """``value`` with every string holding a secret replaced by a ``${VAR}`` placeholder."""
    if isinstance(value, str):
        if any(secret in value for secret in secrets):
            name = f"RS_LEAK_SCAN_{len(env)}"
            env[name] = value
            return "${" + name + "}"
        return value
    if isinstance(value, Mapping):
        return {k: _placeholders(v, secrets, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v, secrets, env) for v in value]
    return value


def _configs(
    type_name: str, options: Mapping[str, Any], secrets: list[str], folder: pathlib.Path
) -> Iterator[tuple[str, Callable[[], RegistryConfig]]]:
    data: dict[str, Any] = {
        "backends": {"b": {"type": type_name, "options": dict(options)}},
        "stores": {"s": {"backend": "b"}},
    }
    yield "dict", lambda: RegistryConfig.from_dict(data)
    inline = folder / "inline.toml"
    body = "\n".join(f"{k} = {_toml_value(v)}" for k, v in options.items())
    inline.write_text(
        f'[backends.b]\ntype = "{type_name}"\n[backends.b.options]\n{body}\n'
        '[stores.s]\nbackend = "b"\n'
    )
    yield "toml inline", lambda: RegistryConfig.from_toml(inline)
    env: dict[str, str] = {}
    templated = _placeholders(dict(options), secrets, env)
    placeholder = folder / "env.toml"
    body = "\n".join(f"{k} = {_toml_value(v)}" for k, v in templated.items())
    placeholder.write_text(
        f'[backends.b]\ntype = "{type_name}"\n[backends.b.options]\n{body}\n'
        '[stores.s]\nbackend = "b"\n'
    )

    def load_with_env() -> RegistryConfig:
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            return RegistryConfig.from_toml(placeholder, resolve_env_vars=True)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    yield "toml ${VAR}", load_with_env


def scan_backend(
    type_name: str,
    options: Mapping[str, Any],
    secrets: list[str],
    exercise: Callable[[Store, LeakScan, str], None],
    folder: pathlib.Path,
) -> list[str]:
    """Load ``options`` in three shapes, open the store, run ``exercise(store, scan,
    shape)`` and return the leaks of ``secrets`` found on every surface."""
    scan = LeakScan(secrets)
    with scan.capturing_logs():
        for shape, load in _configs(type_name, options, secrets, folder):
            config = scan.call(f"{shape}: load", load)
            if config is None:
                continue
            scan.see(f"{shape}: config repr", config)
            scan.see(f"{shape}: backend config str", str(config.backends["b"]))
            scan.call(f"{shape}: pickle config", partial(pickle.dumps, config))
            registry = Registry(config)
            scan.see(f"{shape}: registry repr", registry)
            store: Store | None = scan.call(f"{shape}: get_store", partial(registry.get_store, "s"))
            if store is not None:
                scan.see(f"{shape}: store repr", store)
                scan.see(f"{shape}: store str", str(store))
                scan.see(f"{shape}: backend repr", store._backend)
                scan.call(f"{shape}: pickle store", partial(pickle.dumps, store))
                scan.call(f"{shape}: native_path", partial(store.native_path, "leak/probe.txt"))
                scan.call(f"{shape}: resolve", partial(store.resolve, "leak/probe.txt"))
                scan.call(f"{shape}: missing read", partial(store.read_bytes, "leak/absent.txt"))
                exercise(store, scan, shape)
            scan.call(f"{shape}: info", info)
            scan.call(f"{shape}: close", registry.close)
    return scan.leaks()
