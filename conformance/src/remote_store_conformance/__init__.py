"""remote-store-conformance: the pytest plugin that certifies any remote-store backend."""

__version__ = "0.1.0"
