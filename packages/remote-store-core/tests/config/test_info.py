"""remote_store.info(): installed backends and extensions from entry points."""

from __future__ import annotations

import remote_store
from remote_store._info import EXTENSION_DISTRIBUTIONS, info


def test_core_backends_are_available_from_the_core_distribution() -> None:
    backends = info()["backends"]
    for name in ("local", "memory"):
        assert backends[name]["available"] is True
        assert backends[name]["distribution"] == "remote-store-core"
        assert backends[name]["class"] is not None


def test_known_uninstalled_backend_has_install_hint_and_extra() -> None:
    s3 = info()["backends"]["s3"]
    if not s3["available"]:
        assert s3["install"] == "pip install remote-store-s3"
        assert s3["class"] is None
    assert s3["extras"] == ["s3"]


def test_every_optional_extension_is_listed() -> None:
    extensions = info()["extensions"]
    assert set(extensions) == set(EXTENSION_DISTRIBUTIONS)
    assert extensions["parquet"]["extras"] == ["arrow"]


def test_info_is_exported_at_top_level() -> None:
    assert getattr(remote_store, "info") is info  # noqa: B009 (lazy export, unseen by mypy)
