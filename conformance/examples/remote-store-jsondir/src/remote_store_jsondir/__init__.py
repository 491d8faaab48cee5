"""remote-store-jsondir: an example backend keeping each file as a JSON document."""

from remote_store_jsondir._backend import JsonDirBackend

__all__ = ["JsonDirBackend"]
