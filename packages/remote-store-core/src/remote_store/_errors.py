"""0.27 import path of the errors; see :mod:`remote_store.errors`."""

from remote_store.errors import *  # noqa: F403
from remote_store.errors import __all__ as __all__
