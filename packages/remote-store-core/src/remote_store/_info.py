"""``remote_store.info()``: which backends and extensions are installed, and from where."""

from __future__ import annotations

from importlib import metadata
from typing import TypedDict

from remote_store import _discovery, _plugin_table

__all__ = ["BackendInfo", "ExtensionInfo", "InfoResult", "info"]

#: The optional extensions of 0.27 and the distribution that provides each.
EXTENSION_DISTRIBUTIONS: dict[str, str] = {
    name: ext.distribution for name, ext in _plugin_table.EXTENSIONS.items()
}


#: One backend type: installed or not, by which distribution (and version), the
#: ``module:Class`` its entry point names (``"class"``, as in 0.27), the meta extra that
#: pulls it and the ``pip install`` advice.
BackendInfo = TypedDict(
    "BackendInfo",
    {
        "available": bool,
        "distribution": str | None,
        "version": str | None,
        "class": str | None,
        "extras": list[str],
        "install": str,
    },
)


class ExtensionInfo(TypedDict):
    """One optional extension: installed or not, by which distribution."""

    available: bool
    distribution: str | None
    extras: list[str]
    install: str


class InfoResult(TypedDict):
    """What :func:`info` returns."""

    backends: dict[str, BackendInfo]
    extensions: dict[str, ExtensionInfo]


def info() -> InfoResult:
    """Installed backend types and optional extensions, from entry points and metadata.

    Nothing is imported: availability means "a distribution registers it".
    """
    installed = _discovery.providers(_discovery.BACKEND_GROUP)
    names = sorted(set(installed) | set(_discovery.PLUGIN_DISTRIBUTIONS))
    backends: dict[str, BackendInfo] = {}
    for name in names:
        found = installed.get(name, ())
        wanted = _discovery.PLUGIN_DISTRIBUTIONS.get(name, f"remote-store-{name}")
        backends[name] = {
            "available": bool(found),
            "distribution": ", ".join(p.distribution for p in found) or None,
            "version": found[0].version if found else None,
            "class": ", ".join(p.value for p in found) or None,
            "extras": _extras_of(wanted),
            "install": _discovery.install_hint(name),
        }
    plugins = _discovery.providers(_discovery.PLUGIN_GROUP)
    extensions: dict[str, ExtensionInfo] = {}
    for name, dist_name in EXTENSION_DISTRIBUTIONS.items():
        provider = _installed_distribution(dist_name)
        if provider is None and name in plugins:
            provider = plugins[name][0].distribution
        extensions[name] = ExtensionInfo(
            available=provider is not None,
            distribution=provider,
            extras=[_plugin_table.EXTENSIONS[name].extra],
            install=f"pip install {dist_name}",
        )
    return InfoResult(backends=backends, extensions=extensions)


def _extras_of(distribution: str) -> list[str]:
    """The meta distribution's extra that installs ``distribution`` (none for the core)."""
    row = _plugin_table.plugin_of(distribution)
    extra = row.extra if row is not None else distribution.removeprefix("remote-store-")
    return [extra] if extra else []


def _installed_distribution(name: str) -> str | None:
    try:
        return metadata.distribution(name).metadata["Name"] or name
    except metadata.PackageNotFoundError:
        return None
