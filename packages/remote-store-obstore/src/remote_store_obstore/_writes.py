"""The sync write path: one PUT, or a multipart upload fed chunk by chunk.

* A create-only write (``overwrite=False``) up to ``exclusive_create_limit`` bytes (25 MiB
  by default) is one ``PutMode.Create`` PUT (``If-None-Match: *``): the service refuses an
  existing key, so of racing creators exactly one wins (``EXCLUSIVE_CREATE``). A stream is
  gathered in memory up to that limit first; this costs no more than the multipart upload
  it replaces, which holds ``part_size * (max_concurrency + 1)`` bytes anyway.
* An overwriting write up to ``part_size`` bytes is one PUT.
* A longer stream is a multipart upload (obstore's ``put`` over an iterator of chunks,
  ``max_concurrency`` parts in flight): memory stays near ``part_size *
  (max_concurrency + 1)``. obstore cannot make a multipart completion conditional, so a
  create-only stream longer than ``exclusive_create_limit`` is guarded by a HEAD before
  the upload only: a writer racing in that window can be overwritten (documented; raise
  the limit, or set it to ``None``, to make every create-only write exclusive).

Nothing is visible before the PUT or the multipart completion succeeds; a failing source
aborts the upload.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from remote_store.backend import (
    CHUNK_SIZE,
    AlreadyExists,
    InvalidPath,
    WritableContent,
    WriteResult,
    iter_content,
    parent_key,
)

from remote_store_obstore._convert import attributes, write_result

if TYPE_CHECKING:
    from remote_store_obstore._backend import ObstoreBackend

__all__ = ["check_ancestors", "drain", "gather", "is_native", "single_limit", "write"]


def check_ancestors(backend: ObstoreBackend, key: str) -> None:
    """With ``reject_write_under_file_ancestor``: refuse ``a/b`` while ``a`` is a file."""
    if not backend.reject_write_under_file_ancestor:
        return
    parent = parent_key(key)
    while parent:
        if backend.is_file(parent):
            raise InvalidPath("a parent of the path is a file", path=key, backend=backend.name)
        parent = parent_key(parent)


def single_limit(part_size: int, exclusive_create_limit: int | None, overwrite: bool) -> int | None:
    """The longest content sent as one PUT (``None``: any length)."""
    return part_size if overwrite else exclusive_create_limit


def gather(chunks: Iterator[bytes], limit: int | None) -> tuple[list[bytes], int, bool]:
    """Chunks from ``chunks`` until more than ``limit`` bytes (``None``: all of them):
    (chunks, bytes, exhausted)."""
    head: list[bytes] = []
    size = 0
    for chunk in chunks:
        head.append(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            return head, size, False
    return head, size, True


def drain(head: list[bytes]) -> Any:
    """The body of one PUT from gathered chunks: the chunk itself when there is one, else
    an iterator that drops each chunk as obstore copies it (never a joined second copy)."""
    if len(head) == 1:
        return head.pop()
    if not head:
        return b""
    return _popping(head)


def _popping(head: list[bytes]) -> Iterator[bytes]:
    while head:
        yield head.pop(0)


def _put(
    backend: ObstoreBackend,
    key: str,
    body: Any,
    *,
    mode: str,
    attrs: dict[str, str] | None,
    multipart: bool,
) -> dict[str, Any]:
    import obstore

    try:
        result: dict[str, Any] = obstore.put(  # type: ignore[assignment]
            backend.store,
            key,
            body,
            attributes=attrs,
            mode=mode,  # type: ignore[arg-type]
            use_multipart=multipart,
            chunk_size=backend.part_size,
            max_concurrency=backend.max_concurrency,
        )
    except Exception as exc:
        if multipart and not is_native(exc):
            raise  # the source's own error (obstore re-raises it): nothing was committed
        backend._fail(exc, key)
    return result


def is_native(exc: BaseException) -> bool:
    """Whether ``exc`` came from obstore (not from the caller's content stream)."""
    return isinstance(exc, FileNotFoundError) or type(exc).__module__.startswith("obstore")


def write(
    backend: ObstoreBackend,
    key: str,
    content: WritableContent,
    *,
    overwrite: bool,
    metadata: Mapping[str, str] | None,
) -> WriteResult:
    """Write ``content`` to ``key`` (see the module docstring for how)."""
    attrs = attributes(metadata, backend.name)
    check_ancestors(backend, key)
    mode = "overwrite" if overwrite else "create"
    if isinstance(content, (bytes, bytearray, memoryview)):
        body = bytes(content)
        result = _put(backend, key, body, mode=mode, attrs=attrs, multipart=False)
        return write_result(key, len(body), result, metadata)
    chunks = iter_content(content, CHUNK_SIZE)
    limit = single_limit(backend.part_size, backend.exclusive_create_limit, overwrite)
    head, size, exhausted = gather(chunks, limit)
    if exhausted:
        result = _put(backend, key, drain(head), mode=mode, attrs=attrs, multipart=False)
        return write_result(key, size, result, metadata)
    if not overwrite and backend._head(key) is not None:
        raise AlreadyExists("file exists", path=key, backend=backend.name)
    counted = [size]

    def stream() -> Iterator[bytes]:
        while head:
            yield head.pop(0)  # dropped as sent: the buffered part is not held twice
        for chunk in chunks:
            counted[0] += len(chunk)
            yield chunk

    result = _put(backend, key, stream(), mode="overwrite", attrs=attrs, multipart=True)
    return write_result(key, counted[0], result, metadata)
