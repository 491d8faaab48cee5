"""Entry-point discovery of backends and plugins, read lazily once and cached."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module, metadata
from typing import Any

from remote_store import _plugin_table
from remote_store.errors import ConfigError, UnknownBackendType

__all__ = [
    "ASYNC_BACKEND_GROUP",
    "BACKEND_GROUP",
    "PLUGIN_DISTRIBUTIONS",
    "PLUGIN_GROUP",
    "Provider",
    "backend_providers",
    "load_backend_class",
    "providers",
]

BACKEND_GROUP = "remote_store.backends"
ASYNC_BACKEND_GROUP = "remote_store.async_backends"
PLUGIN_GROUP = "remote_store.plugins"

#: The distribution that provides each backend type of this project, for install hints.
PLUGIN_DISTRIBUTIONS = _plugin_table.PLUGIN_DISTRIBUTIONS


@dataclass(frozen=True)
class Provider:
    """One entry point: the name it registers, the object it names, its distribution."""

    name: str
    value: str
    distribution: str
    version: str
    entry_point: metadata.EntryPoint

    def load(self) -> Any:
        """Import and return the registered object."""
        return self.entry_point.load()


@cache
def providers(group: str) -> dict[str, tuple[Provider, ...]]:
    """Every entry point of ``group`` by name; a name may have several providers."""
    found: dict[str, list[Provider]] = {}
    seen: set[tuple[str, str, str]] = set()
    for dist in metadata.distributions():
        # entry_points.txt first: parsing a distribution's METADATA costs milliseconds,
        # and only the few distributions with an entry point in ``group`` need it
        in_group = [ep for ep in dist.entry_points if ep.group == group]
        if not in_group:
            continue
        dist_name = dist.metadata["Name"] or "?"
        for ep in in_group:
            marker = (ep.name, ep.value, dist_name)
            if marker in seen:  # the same distribution seen twice on sys.path
                continue
            seen.add(marker)
            found.setdefault(ep.name, []).append(
                Provider(ep.name, ep.value, dist_name, dist.version, ep)
            )
    return {name: tuple(items) for name, items in found.items()}


def install_hint(type_name: str) -> str:
    """``pip install ...`` advice for a backend type."""
    dist = PLUGIN_DISTRIBUTIONS.get(type_name, f"remote-store-{type_name}")
    return f"pip install {dist}"


def backend_providers(group: str = BACKEND_GROUP) -> dict[str, Provider]:
    """One provider per backend type; a type registered twice is a :class:`ConfigError`."""
    result: dict[str, Provider] = {}
    for name, items in providers(group).items():
        if len({(p.value, p.distribution) for p in items}) > 1:
            names = ", ".join(f"{p.distribution} ({p.value})" for p in items)
            raise ConfigError(
                f"backend type {name!r} is registered by several distributions: {names}"
            )
        result[name] = items[0]
    return result


def provider_for(type_name: str, group: str = BACKEND_GROUP) -> Provider:
    """The provider of ``type_name``, or an error listing what is installed."""
    items = providers(group).get(type_name)
    if not items:
        installed = ", ".join(sorted(providers(group))) or "none"
        raise UnknownBackendType(
            f"unknown backend type {type_name!r} (installed: {installed}); "
            f"to add it: {install_hint(type_name)}"
        )
    if len({(p.value, p.distribution) for p in items}) > 1:
        names = ", ".join(f"{p.distribution} ({p.value})" for p in items)
        raise ConfigError(
            f"backend type {type_name!r} is registered by several distributions: {names}"
        )
    return items[0]


def load_backend_class(type_name: str, group: str = BACKEND_GROUP) -> Any:
    """The class registered for ``type_name``."""
    return provider_for(type_name, group).load()


def load_module_of(type_name: str, group: str = BACKEND_GROUP) -> Any:
    """The module that registers ``type_name`` (for other names it exports)."""
    provider = provider_for(type_name, group)
    return import_module(provider.value.partition(":")[0])


def refresh() -> None:
    """Forget cached entry points (after installing a distribution at run time)."""
    providers.cache_clear()
