"""A configuration written for ``s3`` (or ``azure``) works with the obstore type by changing
only ``type``; discovery finds both flavours of every obstore type."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import remote_store_obstore
from remote_store import Registry, RegistryConfig
from remote_store.discovery import ASYNC_BACKEND_GROUP, BACKEND_GROUP, load_backend_class


def _config(backend_type: str, options: dict[str, Any]) -> RegistryConfig:
    return RegistryConfig.from_dict(
        {
            "backends": {
                "main": {
                    "type": backend_type,
                    "options": options,
                    "retry": {"max_attempts": 2, "backoff_base": 0.01, "timeout": 10},
                }
            },
            "stores": {"data": {"backend": "main", "root": "reports/"}},
        }
    )


def test_an_s3_config_works_with_s3_obstore_by_changing_only_the_type(moto: Any) -> None:
    pytest.importorskip("remote_store_s3")
    options = moto.options(region_name="us-east-1")
    data = {"type": "s3", "options": options}
    switched = copy.deepcopy(data)
    switched["type"] = "s3-obstore"
    assert {k: v for k, v in data.items() if k != "type"} == {
        k: v for k, v in switched.items() if k != "type"
    }
    with Registry(_config(data["type"], data["options"])) as registry:
        store = registry.store("data")
        store.write("q1.csv", b"a,b\n1,2\n", metadata={"team": "ops"})
    with Registry(_config(switched["type"], switched["options"])) as registry:
        store = registry.store("data")
        assert type(store.backend).__name__ == "S3ObstoreBackend"
        # what the s3 backend wrote, the obstore one reads, metadata included
        assert store.read_bytes("q1.csv") == b"a,b\n1,2\n"
        assert store.get_file_info("q1.csv").metadata == {"team": "ops"}
        store.write("q2.csv", b"x")
        assert [str(f.path) for f in store.list_files("")] == ["q1.csv", "q2.csv"]


def test_an_azure_config_works_with_azure_obstore_by_changing_only_the_type(
    azurite: Any,
) -> None:
    options = {"container": azurite.new_container(), "connection_string": azurite.connection_string}
    with Registry(_config("azure", options)) as registry:
        registry.store("data").write("a.txt", b"from azure", metadata={"k": "v"})
    with Registry(_config("azure-obstore", options)) as registry:
        store = registry.store("data")
        assert store.read_bytes("a.txt") == b"from azure"
        assert store.get_file_info("a.txt").metadata == {"k": "v"}


@pytest.mark.parametrize("name", ["s3-obstore", "azure-obstore", "gcs-obstore"])
def test_every_type_is_registered_sync_and_async(name: str) -> None:
    sync_class = load_backend_class(name, BACKEND_GROUP)
    async_class = load_backend_class(name, ASYNC_BACKEND_GROUP)
    assert issubclass(sync_class, remote_store_obstore.ObstoreBackend)
    assert issubclass(async_class, remote_store_obstore.AsyncObstoreBackend)
