"""0.27 import path ``remote_store.ext.otel`` (from a plugin distribution when installed)."""

from remote_store.ext._optional import load_extension

_module = load_extension("otel")
globals().update({name: getattr(_module, name) for name in _module.__all__})
__all__ = list(_module.__all__)
