"""Entry-point discovery with throwaway distributions built from real metadata on sys.path:
found after "install", refused on conflict, install hint when missing; plugins and info()."""

from __future__ import annotations

import pathlib
import textwrap

import pytest
from remote_store import _discovery, _plugins
from remote_store._config import RegistryConfig
from remote_store._info import info
from remote_store._registry import Registry
from remote_store.errors import ConfigError, UnknownBackendType

CONFIG = {
    "backends": {"t": {"type": "throwaway", "options": {"label": "x"}}},
    "stores": {"s": {"backend": "t"}},
}

BACKEND_MODULE = """
from remote_store.backends._memory import MemoryBackend


class ThrowawayBackend(MemoryBackend):
    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
"""

PLUGIN_MODULE = """
import configparser

from remote_store.hookspecs import hookimpl


@hookimpl
def remote_store_load_config(path):
    if path.suffix != ".ini":
        return None
    parser = configparser.ConfigParser()
    parser.read(path)
    return {"backends": {name: {"type": parser[name]["type"]} for name in parser.sections()}}


@hookimpl
def remote_store_config_suffixes():
    return [".ini"]
"""


def install(
    site: pathlib.Path, dist: str, entry_points: str, modules: dict[str, str] | None = None
) -> None:
    """Write a ``*.dist-info`` (METADATA, entry_points.txt) and modules into ``site``."""
    info_dir = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info_dir.mkdir(parents=True)
    (info_dir / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info_dir / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    for name, source in (modules or {}).items():
        (site / f"{name}.py").write_text(source)
    _discovery.refresh()
    _plugins.reset_plugin_manager()


@pytest.fixture
def site(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_missing_type_gives_install_hint(site: pathlib.Path) -> None:
    with pytest.raises(
        UnknownBackendType, match=r"'throwaway'.*pip install remote-store-throwaway"
    ):
        Registry(RegistryConfig.from_dict(CONFIG)).get_store("s")


def test_type_is_found_after_install(site: pathlib.Path) -> None:
    install(
        site,
        "rs-throwaway",
        "[remote_store.backends]\nthrowaway = rs_throwaway_backend:ThrowawayBackend\n",
        {"rs_throwaway_backend": BACKEND_MODULE},
    )
    with Registry(RegistryConfig.from_dict(CONFIG)) as registry:
        store = registry.get_store("s")
        store.write("f", b"1")
        assert store.read_bytes("f") == b"1"
        assert type(store._backend).__name__ == "ThrowawayBackend"


def test_installed_type_options_are_checked_at_load(site: pathlib.Path) -> None:
    install(
        site,
        "rs-throwaway",
        "[remote_store.backends]\nthrowaway = rs_throwaway_backend:ThrowawayBackend\n",
        {"rs_throwaway_backend": BACKEND_MODULE},
    )
    bad = {"backends": {"t": {"type": "throwaway", "options": {"lable": "x"}}}}
    with pytest.raises(ConfigError, match=r"no option 'lable'.*did you mean 'label'"):
        RegistryConfig.from_dict(bad)


def test_two_distributions_registering_one_type_are_refused(site: pathlib.Path) -> None:
    install(
        site,
        "rs-throwaway",
        "[remote_store.backends]\nthrowaway = rs_throwaway_backend:ThrowawayBackend\n",
        {"rs_throwaway_backend": BACKEND_MODULE},
    )
    install(site, "rs-impostor", "[remote_store.backends]\nthrowaway = rs_impostor:Other\n")
    with pytest.raises(ConfigError, match="registered by several distributions") as e:
        RegistryConfig.from_dict(CONFIG)
    assert "rs-throwaway" in str(e.value)
    assert "rs-impostor" in str(e.value)


def test_info_reports_installed_distribution(site: pathlib.Path) -> None:
    install(
        site,
        "rs-throwaway",
        "[remote_store.backends]\nthrowaway = rs_throwaway_backend:ThrowawayBackend\n",
        {"rs_throwaway_backend": BACKEND_MODULE},
    )
    install(site, "remote-store-yaml", "[remote_store.plugins]\n")
    result = info()
    assert result["backends"]["throwaway"]["available"] is True
    assert result["backends"]["throwaway"]["distribution"] == "rs-throwaway"
    assert result["backends"]["throwaway"]["class"] == "rs_throwaway_backend:ThrowawayBackend"
    assert result["extensions"]["yaml"] == {
        "available": True,
        "distribution": "remote-store-yaml",
        "extras": ["yaml"],
        "install": "pip install remote-store-yaml",
    }


def test_plugin_loader_registered_by_entry_point_is_used(site: pathlib.Path) -> None:
    install(
        site,
        "rs-ini-loader",
        "[remote_store.plugins]\nini = rs_ini_loader\n",
        {"rs_ini_loader": PLUGIN_MODULE},
    )
    path = site / "registry.ini"
    path.write_text("[m]\ntype = memory\n")
    assert set(RegistryConfig.from_file(path).backends) == {"m"}
