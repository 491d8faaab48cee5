"""remote-store backends for Azure Blob Storage and ADLS Gen2.

* :class:`AzureBackend` (type ``azure``): the sync backend.
* :class:`AsyncAzureBackend` (async type ``azure``): the async one, which holds the logic.
"""

from remote_store_azure._async_backend import AsyncAzureBackend
from remote_store_azure._backend import AzureBackend

__all__ = ["AsyncAzureBackend", "AzureBackend"]
