"""0.27 import path ``remote_store.ext.yaml`` (from a plugin distribution when installed)."""

from typing import TYPE_CHECKING

from remote_store.ext._optional import load_extension

if TYPE_CHECKING:  # a type checker sees the plugin's names (when the plugin is installed)
    from remote_store_yaml import *  # noqa: F403

_module = load_extension("yaml")
globals().update({name: getattr(_module, name) for name in _module.__all__})
__all__ = list(_module.__all__)
