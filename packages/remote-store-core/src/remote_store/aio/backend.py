"""The async plugin SDK: :mod:`remote_store.backend` plus what async backends need.

Async backend authors import from here only; every name of the sync SDK is
re-exported, so one import line serves a plugin that ships both flavours.
"""

from __future__ import annotations

from remote_store._retry import acall_with_retry
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._content import AsyncWritableContent, aiter_content
from remote_store.aio._reader import AsyncReadStream
from remote_store.backend import *  # noqa: F403  (the sync SDK, re-exported by design)
from remote_store.backend import __all__ as _SYNC_NAMES

__all__ = [
    *_SYNC_NAMES,
    "AsyncBackend",
    "AsyncReadStream",
    "AsyncWritableContent",
    "acall_with_retry",
    "aiter_content",
]
