"""The backend's options and its connection: s3fs's ``S3FileSystem``, client and event loop."""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from remote_store.backend import RetryPolicy, Secret, reveal
from remote_store.errors import ConfigError

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = [
    "close",
    "filesystem",
    "resolve_options",
    "retry_policy",
    "strip_userinfo",
    "submit",
]

T = TypeVar("T")


def resolve_options(
    *,
    key: str | Secret | None,
    secret: str | Secret | None,
    access_key: str | Secret | None,
    secret_key: str | Secret | None,
    client_options: Mapping[str, Any] | None,
) -> tuple[Secret | None, Secret | None, dict[str, Any]]:
    """The access key, the secret key and a copy of ``client_options``, checked.

    The keys may be given under 0.27's names (``key``/``secret``) or the feature page's
    (``access_key``/``secret_key``); botocore settings belong in ``config_kwargs``.
    """
    if access_key is not None and key is not None:
        raise ConfigError("give the access key once: key or access_key, not both")
    if secret_key is not None and secret is not None:
        raise ConfigError("give the secret key once: secret or secret_key, not both")
    key = key if key is not None else access_key
    secret = secret if secret is not None else secret_key
    options = dict(client_options or {})
    if "config" in options.get("client_kwargs", {}):
        raise ConfigError("pass botocore settings as client_options['config_kwargs']")
    return (
        Secret(key) if key is not None else None,
        Secret(secret) if secret is not None else None,
        options,
    )


def retry_policy(retry: RetryPolicy | Mapping[str, Any] | None) -> RetryPolicy:
    return RetryPolicy(**retry) if isinstance(retry, Mapping) else retry or RetryPolicy()


def filesystem(
    *,
    key: Secret | None,
    secret: Secret | None,
    endpoint_url: str | None,
    region_name: str | None,
    tls_ca_bundle: str | None,
    options: Mapping[str, Any],
    policy: RetryPolicy,
    asynchronous: bool = False,
) -> Any:
    """A new ``s3fs.S3FileSystem`` (no instance or listings cache; botocore retries off).

    ``asynchronous=True``: an instance for the running event loop, whose client is made
    by ``await fs.set_session()`` on that loop (no loop thread of s3fs's own).
    """
    import s3fs

    fs_kwargs = dict(options)
    client_kwargs = dict(fs_kwargs.pop("client_kwargs", {}))
    if region_name:
        client_kwargs.setdefault("region_name", region_name)
    if tls_ca_bundle:
        client_kwargs.setdefault("verify", tls_ca_bundle)
    config = _botocore_config(policy, endpoint_url)
    config.update(fs_kwargs.pop("config_kwargs", {}))
    fs_kwargs.setdefault("use_listings_cache", False)
    return s3fs.S3FileSystem(
        key=reveal(key),
        secret=reveal(secret),
        endpoint_url=endpoint_url,
        client_kwargs=client_kwargs,
        config_kwargs=config,
        skip_instance_cache=True,
        asynchronous=asynchronous,
        **fs_kwargs,
    )


def submit(fs: Any, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
    """Schedule a coroutine on s3fs's event loop thread (fsspec's, before the first connect)."""
    import asyncio  # loaded with the first request, not with the plugin

    from fsspec.asyn import get_loop

    loop = fs.loop if fs is not None else get_loop()
    return asyncio.run_coroutine_threadsafe(coroutine, loop)


def close(client: Any, fs: Any) -> None:
    """Close the aiobotocore client and its connection pool (best effort, 10 s at most)."""
    import asyncio

    try:
        asyncio.run_coroutine_threadsafe(client.__aexit__(None, None, None), fs.loop).result(10)
    except Exception:
        pass
    fs._s3 = None


def strip_userinfo(url: str | None) -> str | None:
    if not url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _botocore_config(policy: RetryPolicy, endpoint_url: str | None) -> dict[str, Any]:
    """botocore retries off (``_run`` retries per the policy); the policy's timeout per request."""
    config: dict[str, Any] = {"retries": {"total_max_attempts": 1}}
    if policy.timeout is not None:
        config["connect_timeout"] = policy.timeout
        config["read_timeout"] = policy.timeout
    if endpoint_url:
        config["s3"] = {"addressing_style": "path"}  # what S3-compatible servers expect
    return config
