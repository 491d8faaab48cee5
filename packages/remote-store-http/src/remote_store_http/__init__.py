"""remote-store-http: the read-only HTTP backend (type ``http``)."""

from remote_store_http.backend import ReadOnlyHttpBackend

__all__ = ["ReadOnlyHttpBackend"]
