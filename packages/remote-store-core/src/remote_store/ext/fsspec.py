"""``remote_store.ext.fsspec``: the fsspec bridge (from remote-store-fsspec when installed)."""

from remote_store.ext._optional import load_optional

_module = load_optional("remote_store_fsspec", "remote-store-fsspec", "remote_store.ext.fsspec")
globals().update({name: getattr(_module, name) for name in _module.__all__})
__all__ = list(_module.__all__)
