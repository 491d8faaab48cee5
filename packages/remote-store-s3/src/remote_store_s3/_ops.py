"""Coroutines run on s3fs's event loop: single calls and the few multi-request operations."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

__all__ = ["any_exists", "call", "client_error", "get_all", "probe_many"]

Operation = Callable[[Any], Coroutine[Any, Any, Any]]

#: Requests one multi-key operation keeps in flight.
CONCURRENCY = 16


def call(method: str, **kwargs: Any) -> Operation:
    """``client.<method>(**kwargs)`` as an operation for ``S3Backend._run``."""

    def operation(client: Any) -> Coroutine[Any, Any, Any]:
        return getattr(client, method)(**kwargs)  # type: ignore[no-any-return]

    operation.__name__ = operation.__qualname__ = method  # named in retry logs
    return operation


def get_all(args: Mapping[str, Any]) -> Operation:
    """GetObject and its whole body, in one round trip from the caller's thread."""

    async def operation(client: Any) -> bytes:
        response = await client.get_object(**args)
        async with response["Body"] as body:
            data: bytes = await body.read()
        return data

    return operation


async def _is_object(client: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        await client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            return False
        raise
    return True


async def _has_children(client: Any, bucket: str, key: str) -> bool:
    page = await client.list_objects_v2(Bucket=bucket, Prefix=key + "/", MaxKeys=1)
    return bool(page.get("KeyCount") or page.get("Contents"))


def any_exists(bucket: str, keys: Sequence[str]) -> Operation:
    """The first of ``keys`` that is an object (HEADs run concurrently), or ``None``."""

    async def operation(client: Any) -> str | None:
        import asyncio

        found = await asyncio.gather(*(_is_object(client, bucket, key) for key in keys))
        return next((key for key, hit in zip(keys, found, strict=True) if hit), None)

    return operation


def probe_many(bucket: str, keys: Sequence[str]) -> Operation:
    """``{key: "file" | "folder" | "missing"}`` with at most ``CONCURRENCY`` requests in flight."""

    async def operation(client: Any) -> dict[str, str]:
        import asyncio

        gate = asyncio.Semaphore(CONCURRENCY)

        async def probe(key: str) -> str:
            async with gate:
                if await _is_object(client, bucket, key):
                    return "file"
                return "folder" if await _has_children(client, bucket, key) else "missing"

        kinds = await asyncio.gather(*(probe(key) for key in keys))
        return dict(zip(keys, kinds, strict=True))

    return operation


def client_error(error: Mapping[str, Any]) -> Exception:
    """A botocore ``ClientError`` for one failed key of a DeleteObjects response."""
    from botocore.exceptions import ClientError

    error_type: type[Exception] = ClientError
    return error_type({"Error": {"Code": error.get("Code", ""), "Message": ""}}, "DeleteObjects")
