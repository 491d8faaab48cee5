"""RemoteStoreComputeLogManager: upload, download, truncation and deletion of captured logs."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster._core.storage.compute_log_manager import ComputeIOType
from remote_store_dagster import RemoteStoreComputeLogManager


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[RemoteStoreComputeLogManager]:
    config = {
        "backend_type": "local",
        "backend_options": {"root": str(tmp_path / "remote")},
        "prefix": "logs",
        "local_dir": str(tmp_path / "local"),
    }
    built = RemoteStoreComputeLogManager.from_config_value(None, config)  # type: ignore[arg-type]
    yield built
    built.dispose()


def test_logs_go_to_the_store_and_come_back(manager: RemoteStoreComputeLogManager) -> None:
    key = ["run-1", "compute_logs", "step-a"]
    local = Path(manager.local_manager.get_captured_local_path(key, "out"))
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(b"hello from the step\n")
    manager.upload_to_cloud_storage(key, ComputeIOType.STDOUT)
    assert manager.store.read_bytes("logs/storage/run-1/compute_logs/step-a.out") == (
        b"hello from the step\n"
    )
    assert manager.cloud_storage_has_logs(key, ComputeIOType.STDOUT)
    assert not manager.cloud_storage_has_logs(key, ComputeIOType.STDERR)
    assert manager.display_path_for_type(key, ComputeIOType.STDOUT).endswith("step-a.out")
    local.unlink()
    manager.download_from_cloud_storage(key, ComputeIOType.STDOUT)
    assert local.read_bytes() == b"hello from the step\n"
    manager.delete_logs(log_key=key)
    assert not manager.cloud_storage_has_logs(key, ComputeIOType.STDOUT)


def test_large_logs_are_truncated(
    manager: RemoteStoreComputeLogManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_TRUNCATE_COMPUTE_LOGS_UPLOAD_BYTES", "10")
    key = ["run-2", "compute_logs", "step-b"]
    local = Path(manager.local_manager.get_captured_local_path(key, "err"))
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(b"x" * 100)
    manager.upload_to_cloud_storage(key, ComputeIOType.STDERR)
    assert manager.store.read_bytes("logs/storage/run-2/compute_logs/step-b.err") == b"x" * 10
    manager.delete_logs(prefix=["run-2"])
    assert not manager.store.exists("logs/storage/run-2")
