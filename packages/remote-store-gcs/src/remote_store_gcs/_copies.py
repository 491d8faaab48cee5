"""Server-side copies and moves: the JSON API's ``rewrite``, pinned to the source's
generation and looped with its token (large objects take several calls)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from remote_store.backend import AlreadyExists, InvalidPath, NotFound, call_with_retry
from remote_store.errors import PreconditionFailed

if TYPE_CHECKING:
    from remote_store_gcs._backend import GCSBackend

__all__ = ["copy", "move"]


def _source(backend: GCSBackend, src: str) -> dict[str, Any]:
    resource = backend._stat(src)
    if resource is None:
        if backend.is_folder(src):
            raise InvalidPath("source is a folder", path=src, backend=backend.name)
        raise NotFound("source not found", path=src, backend=backend.name)
    return resource


def copy(backend: GCSBackend, src: str, dst: str, *, overwrite: bool) -> dict[str, Any]:
    """Rewrite ``src`` to ``dst`` (user metadata kept); the source's resource.

    Create-only sends ``ifGenerationMatch=0`` and also checks first: fake-gcs-server
    ignores the precondition on rewrite.
    """
    source = _source(backend, src)
    if not overwrite and backend._stat(dst) is not None:
        raise AlreadyExists("destination exists", path=dst, backend=backend.name)
    params: dict[str, str] = {"sourceGeneration": str(source["generation"])}
    if not overwrite:
        params["ifGenerationMatch"] = "0"
    url = backend._rewrite_url(src, dst)
    while True:
        try:
            response = call_with_retry(
                backend.retry_policy,
                lambda: backend._request("POST", url, dst, params=params, json={}),
                sleep=backend._sleep,
            )
        except PreconditionFailed:
            raise AlreadyExists("destination exists", path=dst, backend=backend.name) from None
        answer: dict[str, Any] = response.json()
        if answer.get("done"):
            return source
        params["rewriteToken"] = str(answer["rewriteToken"])


def move(backend: GCSBackend, src: str, dst: str, *, overwrite: bool) -> None:
    """Copy, then delete exactly the source generation that was copied."""
    source = copy(backend, src, dst, overwrite=overwrite)
    params = {"ifGenerationMatch": str(source["generation"])}
    try:
        backend._request("DELETE", backend._url(src), src, params=params)
    except PreconditionFailed:
        raise PreconditionFailed(
            "the source changed during the move; it was copied and kept",
            path=src,
            backend=backend.name,
        ) from None
    except NotFound:
        pass  # deleted by someone else meanwhile: the move's outcome stands
