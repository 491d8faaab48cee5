"""Backends built from the command line: an entry-point type plus ``KEY=VALUE`` options."""

from __future__ import annotations

import importlib
import json
import tempfile
from collections.abc import Callable, Iterable
from typing import Any, cast

from remote_store import Backend
from remote_store.aio import AsyncBackend, AsyncBackendSyncAdapter
from remote_store.discovery import ASYNC_BACKEND_GROUP, BACKEND_GROUP, load_backend_class

__all__ = ["TMP_PLACEHOLDER", "decode_options", "entry_point_factory", "load_callable"]

#: In an option value, replaced by a new empty temporary folder for every backend.
TMP_PLACEHOLDER = "{tmp}"


def decode_options(pairs: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs as keyword arguments; a VALUE that parses as JSON is decoded."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--rs-option expects KEY=VALUE, got {pair!r}")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        options[key.strip()] = value
    return options


def _with_fresh_tmp(value: Any, make_tmp: Callable[[], str]) -> Any:
    if isinstance(value, str) and TMP_PLACEHOLDER in value:
        return value.replace(TMP_PLACEHOLDER, make_tmp())
    if isinstance(value, dict):
        return {k: _with_fresh_tmp(v, make_tmp) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_fresh_tmp(v, make_tmp) for v in value]
    return value


def entry_point_factory(
    type_name: str,
    options: dict[str, Any],
    base_dir: str | None = None,
    *,
    asynchronous: bool = False,
) -> Callable[[], Backend]:
    """A zero-argument factory constructing ``type_name`` with ``options``.

    ``asynchronous``: ``type_name`` is an async backend (``remote_store.async_backends``),
    returned wrapped in :class:`AsyncBackendSyncAdapter` so the same rules run.
    """
    group = ASYNC_BACKEND_GROUP if asynchronous else BACKEND_GROUP
    cls = load_backend_class(type_name, group)

    def make_tmp() -> str:
        return tempfile.mkdtemp(prefix="rs-conformance-", dir=base_dir)

    def factory() -> Backend:
        backend: object = cls(**_with_fresh_tmp(options, make_tmp))
        if asynchronous:
            if not isinstance(backend, AsyncBackend):
                raise TypeError(
                    f"{type_name!r} built a {type(backend).__name__}, not an AsyncBackend"
                )
            return AsyncBackendSyncAdapter(backend)
        if not isinstance(backend, Backend):
            raise TypeError(f"{type_name!r} built a {type(backend).__name__}, not a Backend")
        return backend

    return factory


def load_callable(target: str) -> Callable[..., Any]:
    """``"package.module:name"`` imported and returned (it must be callable)."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"expected MODULE:CALLABLE, got {target!r}")
    value = getattr(importlib.import_module(module_name), attribute)
    if not callable(value):
        raise TypeError(f"{target!r} is not callable")
    return cast("Callable[..., Any]", value)
