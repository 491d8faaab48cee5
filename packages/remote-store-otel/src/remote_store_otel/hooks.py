"""Registry hook: a store profile with ``options.otel`` is traced.

``otel = true`` uses the global tracer and meter providers; ``otel = {tracer_name = "...",
meter_name = "..."}`` names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remote_store import Store
from remote_store.errors import ConfigError
from remote_store.hookspecs import hookimpl

from remote_store_otel import otel_observe

_KEYS = frozenset({"tracer_name", "meter_name"})


@hookimpl
def remote_store_wrap_store(store: Store, profile: str, options: Mapping[str, Any]) -> Store | None:
    """Wrap the profile's store with :func:`otel_observe` when it asks for ``otel``."""
    table = options.get("otel")
    if table is None or table is False:
        return None
    if table is True:
        table = {}
    if not isinstance(table, Mapping) or set(table) - _KEYS:
        raise ConfigError(
            f"store {profile!r}: 'otel' must be true or a table with keys {sorted(_KEYS)}"
        )
    names = {key: str(value) for key, value in table.items()}
    return otel_observe(
        store,
        tracer_name=names.get("tracer_name", "remote_store"),
        meter_name=names.get("meter_name", "remote_store"),
    )
