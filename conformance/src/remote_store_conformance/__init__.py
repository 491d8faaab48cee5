"""remote-store-conformance: the pytest plugin that certifies any remote-store backend.

Subclass :class:`BackendConformance` in a test module and define the fixture
``rs_backend_factory``; or run ``pytest --rs-conformance=TYPE`` with no test file at all.
"""

from remote_store_conformance._markers import refusal, rule
from remote_store_conformance.suite import (
    AsyncBackendConformance,
    BackendConformance,
    FolderSemantics,
)

__version__ = "0.1.0"

__all__ = [
    "AsyncBackendConformance",
    "BackendConformance",
    "FolderSemantics",
    "__version__",
    "refusal",
    "rule",
]
