"""The suite ``pytest --rs-conformance`` runs: no test file needed in the author's project.

The backend comes from ``--rs-conformance=TYPE`` (entry points) or from the author's
``rs_backend_factory`` fixture in their root ``conftest.py``.
"""

from remote_store_conformance import BackendConformance


class TestRemoteStoreConformance(BackendConformance):
    """Every rule of the kit against the backend chosen on the command line."""
