"""Conditional writes (``CONDITIONAL_WRITE``): one PUT whose precondition the service checks.

``if_match=etag`` becomes obstore's update mode (``{"e_tag": etag}``: S3 and Azure send
``If-Match``), ``if_none_match="*"`` its create mode (``If-None-Match: *``). The service
decides, so two racing writers cannot both win. A refused condition is
:class:`PreconditionFailed` whatever the service answers (412, 409 for an existing blob,
404 for an ``If-Match`` on a missing key).

obstore sends a conditional put as one request, never as a multipart upload, so the
content is gathered in memory first and the service's single-PUT limit applies (5 GiB on
S3, 5000 MiB on Azure). GCS is not served: obstore's update mode there needs the object
generation, not the etag this API takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from remote_store.backend import (
    CHUNK_SIZE,
    AlreadyExists,
    InvalidArgument,
    NotFound,
    WritableContent,
    WriteResult,
    iter_content,
)
from remote_store.errors import PreconditionFailed

from remote_store_obstore._convert import attributes, write_result
from remote_store_obstore._errors import classify

if TYPE_CHECKING:
    from remote_store.aio.backend import AsyncWritableContent

    from remote_store_obstore._async_backend import AsyncObstoreBackend
    from remote_store_obstore._backend import ObstoreBackend

__all__ = ["fail", "put_mode", "write_conditional", "write_conditional_async"]


def put_mode(
    if_match: str | None, if_none_match: str | None, path: str, backend: str
) -> str | dict[str, str]:
    """obstore's ``mode`` for the condition; exactly one of the two must be given."""
    if (if_match is None) == (if_none_match is None):
        raise InvalidArgument(
            "give exactly one of if_match and if_none_match", path=path, backend=backend
        )
    if if_none_match is not None:
        if if_none_match != "*":
            raise InvalidArgument("if_none_match accepts only '*'", path=path, backend=backend)
        return "create"
    if not isinstance(if_match, str) or not if_match:
        raise InvalidArgument("if_match must be a non-empty etag", path=path, backend=backend)
    return {"e_tag": if_match}


def fail(backend: ObstoreBackend | AsyncObstoreBackend, exc: BaseException, path: str) -> NoReturn:
    """Raise the error of a failed conditional put: a refused condition (whatever status
    the service chose for it) is :class:`PreconditionFailed`; anything else is typed as
    every other call's error (the native cause kept only when it holds no secret)."""
    error = classify(exc, path, backend.name)
    if isinstance(error, (AlreadyExists, NotFound)):
        raise PreconditionFailed(
            "precondition failed: " + error.message, path=path, backend=backend.name
        ) from None
    backend._fail(exc, path)


def write_conditional(
    backend: ObstoreBackend,
    key: str,
    content: WritableContent,
    *,
    if_match: str | None,
    if_none_match: str | None,
    metadata: Mapping[str, str] | None,
) -> WriteResult:
    """One conditional PUT of ``content`` (gathered in memory)."""
    import obstore

    from remote_store_obstore._writes import check_ancestors

    mode = put_mode(if_match, if_none_match, key, backend.name)
    attrs = attributes(metadata, backend.name)
    check_ancestors(backend, key)
    if isinstance(content, (bytes, bytearray, memoryview)):
        body = bytes(content)
    else:
        body = b"".join(iter_content(content, CHUNK_SIZE))
    try:
        result: Any = obstore.put(
            backend.store,
            key,
            body,
            attributes=attrs,
            mode=mode,  # type: ignore[arg-type]
            use_multipart=False,
        )
    except Exception as exc:
        fail(backend, exc, key)
    return write_result(key, len(body), result, metadata)


async def write_conditional_async(
    backend: AsyncObstoreBackend,
    key: str,
    content: AsyncWritableContent,
    *,
    if_match: str | None,
    if_none_match: str | None,
    metadata: Mapping[str, str] | None,
) -> WriteResult:
    """The async twin of :func:`write_conditional`."""
    import obstore

    from remote_store_obstore._async_ops import check_ancestors

    mode = put_mode(if_match, if_none_match, key, backend.name)
    attrs = attributes(metadata, backend.name)
    await check_ancestors(backend, key)
    if isinstance(content, (bytes, bytearray, memoryview)):
        body = bytes(content)
    else:
        body = b"".join([bytes(chunk) async for chunk in content])
    try:
        result: Any = await obstore.put_async(
            backend.store,
            key,
            body,
            attributes=attrs,
            mode=mode,  # type: ignore[arg-type]
            use_multipart=False,
        )
    except Exception as exc:
        fail(backend, exc, key)
    return write_result(key, len(body), result, metadata)
