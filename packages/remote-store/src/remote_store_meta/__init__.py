"""Marker module of the ``remote-store`` meta distribution; import ``remote_store``."""
