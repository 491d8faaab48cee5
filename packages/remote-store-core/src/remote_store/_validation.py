"""Checks on caller input that run before any I/O, shared by Store and AsyncStore."""

from __future__ import annotations

from collections.abc import Mapping

from remote_store.errors import InvalidArgument, InvalidMetadata

__all__ = ["MAX_METADATA_BYTES", "check_max_depth", "check_metadata"]

#: Upper bound on the UTF-8 size of all metadata keys and values together.
MAX_METADATA_BYTES = 2048


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str] | None:
    """Validate user metadata; return a plain copy, or ``None`` when there is none.

    Keys and values are ``str``; keys are non-empty ASCII and do not start with ``_``;
    keys and values together take at most 2048 bytes in UTF-8.
    """
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise InvalidMetadata(f"metadata must be a mapping, not {type(metadata).__name__}")
    if not metadata:
        return None
    total = 0
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidMetadata("metadata keys and values must be str")
        if not key or not key.isascii() or key.startswith("_"):
            raise InvalidMetadata(
                f"metadata key {key!r} must be non-empty ASCII and not start with '_'"
            )
        total += len(key.encode()) + len(value.encode())
    if total > MAX_METADATA_BYTES:
        raise InvalidMetadata(
            f"metadata takes {total} bytes; at most {MAX_METADATA_BYTES} are allowed"
        )
    return dict(metadata)


def check_max_depth(max_depth: int | None) -> None:
    """``max_depth`` is ``None`` or a non-negative int."""
    if max_depth is None:
        return
    if isinstance(max_depth, bool) or not isinstance(max_depth, int):
        raise InvalidArgument(f"max_depth must be an int or None, not {type(max_depth).__name__}")
    if max_depth < 0:
        raise InvalidArgument(f"max_depth must be >= 0, got {max_depth}")


def check_content(content: object) -> None:
    """Content is bytes-like or a readable binary stream."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        return
    if callable(getattr(content, "read", None)):
        return
    raise InvalidArgument(
        f"content must be bytes or a readable binary stream, not {type(content).__name__}"
    )
