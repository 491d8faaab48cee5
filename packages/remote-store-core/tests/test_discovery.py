"""Entry-point discovery, the 0.27 import paths of ``remote_store.backends``, and what a
plain ``import remote_store`` loads."""

from __future__ import annotations

import subprocess
import sys

import pytest
import remote_store
from remote_store import _discovery
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.errors import UnknownBackendType


def test_core_registers_local_and_memory_through_entry_points() -> None:
    assert _discovery.load_backend_class("local") is LocalBackend
    assert _discovery.load_backend_class("memory") is MemoryBackend
    providers = _discovery.backend_providers()
    assert providers["local"].distribution == "remote-store-core"
    assert providers["memory"].value == "remote_store.backends._memory:MemoryBackend"


def test_entry_points_are_read_once_and_cached() -> None:
    first = _discovery.providers(_discovery.BACKEND_GROUP)
    assert _discovery.providers(_discovery.BACKEND_GROUP) is first
    _discovery.refresh()
    assert _discovery.providers(_discovery.BACKEND_GROUP) is not first


def test_unknown_backend_type_names_the_distribution() -> None:
    with pytest.raises(UnknownBackendType) as info:
        _discovery.load_backend_class("no-such-type")
    assert "pip install remote-store-no-such-type" in str(info.value)
    assert "local" in str(info.value) and "memory" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert _discovery.install_hint("sql-blob") == "pip install remote-store-sql"


def test_load_module_of_a_backend_type() -> None:
    module = _discovery.load_module_of("local")
    assert module.LocalBackend is LocalBackend


def test_missing_plugin_backend_name_is_an_import_error_naming_the_distribution() -> None:
    import remote_store.backends as backends

    if "sftp" in _discovery.backend_providers():  # the plugin is installed here
        assert backends.SFTPBackend.__name__ == "SFTPBackend"
    else:
        with pytest.raises(ImportError, match="pip install remote-store-sftp") as info:
            backends.SFTPBackend  # noqa: B018
        assert info.value.name == "SFTPBackend"
    with pytest.raises(AttributeError):
        backends.NoSuchBackend  # noqa: B018
    assert {"LocalBackend", "MemoryBackend", "S3Backend"} <= set(dir(backends))


def test_top_level_exports_and_unknown_attribute() -> None:
    for name in ["Store", "ProxyStore", "Backend", "RemotePath", "FileInfo", "Capability"]:
        assert name in remote_store.__all__
        assert hasattr(remote_store, name)
    assert "Registry" in dir(remote_store)
    with pytest.raises(AttributeError):
        remote_store.no_such_name  # noqa: B018
    assert remote_store.__version__


def test_plain_import_loads_no_plugin_no_config_and_no_heavy_dependency() -> None:
    code = (
        "import sys, remote_store; "
        "print(sorted(m for m in sys.modules if m.startswith(('remote_store', 'pluggy', "
        "'tomllib', 'importlib.metadata', 'asyncio', 'tempfile', 'shutil'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = eval(out)
    assert not [m for m in loaded if m.startswith("remote_store_")]
    for heavy in ["pluggy", "asyncio", "remote_store._registry", "remote_store.aio"]:
        assert heavy not in loaded, heavy
