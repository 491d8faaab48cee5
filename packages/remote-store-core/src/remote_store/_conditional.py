"""The SDK helper of conditional writes: a failed condition becomes ``PreconditionFailed``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from remote_store.errors import AlreadyExists, NotFound, PreconditionFailed, RemoteStoreError

__all__ = ["condition_failures"]


class _ErrorMapping(Protocol):
    """What :func:`condition_failures` needs of a backend (sync or async): its name and
    its ``map_error``."""

    @property
    def name(self) -> str: ...

    def map_error(self, exc: BaseException, path: str | None = None) -> RemoteStoreError: ...


@contextmanager
def condition_failures(backend: _ErrorMapping, path: str) -> Iterator[None]:
    """Raise :class:`PreconditionFailed` for a write condition that fails inside the block.

    Wrap the write that carries the condition, in ``write_conditional`` of a sync or an
    async backend (``with`` works around an ``await``)::

        with condition_failures(self, path):
            return self._put(path, content, if_match=if_match)

    An error raised inside the block, native or typed, is classified through
    ``backend.map_error``. When it says the condition failed, it is re-raised as
    ``PreconditionFailed(path=path, backend=backend.name)``, chained to the original:

    * ``AlreadyExists``: ``if_none_match="*"`` met an existing file;
    * ``NotFound``: ``if_match`` met a missing file (a service answers 404, not 412);
    * ``PreconditionFailed`` (a 412 the service reported) passes as it is.

    Every other error leaves the block unchanged, as raised.
    """
    try:
        yield
    except PreconditionFailed:
        raise
    except Exception as exc:
        error = backend.map_error(exc, path)
        if isinstance(error, PreconditionFailed):
            if error is exc:
                raise
            raise error from exc
        if isinstance(error, (AlreadyExists, NotFound)):
            raise PreconditionFailed(
                "precondition failed: " + error.message, path=path, backend=backend.name
            ) from exc
        raise
