"""The three services: their options (the s3/azure/gcs backends' names), validated, and
the obstore store each builds.

A flavour holds secrets as :class:`Secret` and reveals them only into the obstore store it
builds; its ``repr`` shows them masked. ``client_options`` takes obstore's own keys: HTTP
client settings (``ClientConfig``: ``timeout``, ``allow_http``, ``proxy_url``...) and
service settings (``S3Config``/``AzureConfig``/``GCSConfig``: ``copy_if_not_exists``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from remote_store.backend import ConfigError, RetryPolicy, Secret, redact_url, reveal

__all__ = [
    "DEFAULT_LIMIT",
    "PART_SIZE",
    "UPLOAD_CONCURRENCY",
    "AzureFlavour",
    "Flavour",
    "GcsFlavour",
    "S3Flavour",
    "check_upload_options",
    "retry_config",
    "retry_policy",
    "strip_userinfo",
]

#: Bytes of one multipart part (S3's minimum is 5 MiB); also the largest create-only
#: write made exclusive by the service (see :mod:`._writes`).
PART_SIZE = 5 * 1024 * 1024

#: Parts of one multipart upload in flight at once (memory: about one part more than this).
UPLOAD_CONCURRENCY = 4


def check_upload_options(
    name: str, part_size: object, max_concurrency: object, exclusive_create_limit: object
) -> int | None:
    """Validate the upload options of a backend; return ``exclusive_create_limit`` with its
    default filled in: ``part_size * (max_concurrency + 1)``, the memory a multipart
    upload holds anyway (parts in flight plus the one filling). ``None`` means no limit."""
    if isinstance(part_size, bool) or not isinstance(part_size, int) or part_size < PART_SIZE:
        raise ConfigError(f"{name}: part_size must be an int >= {PART_SIZE}")
    if (
        isinstance(max_concurrency, bool)
        or not isinstance(max_concurrency, int)
        or max_concurrency < 1
    ):
        raise ConfigError(f"{name}: max_concurrency must be an int >= 1")
    if exclusive_create_limit is DEFAULT_LIMIT:
        return part_size * (max_concurrency + 1)
    if exclusive_create_limit is None:
        return None
    if (
        isinstance(exclusive_create_limit, bool)
        or not isinstance(exclusive_create_limit, int)
        or exclusive_create_limit < part_size
    ):
        raise ConfigError(
            f"{name}: exclusive_create_limit must be None or an int >= part_size ({part_size})"
        )
    return exclusive_create_limit


class _DefaultLimit:
    """The marker of an ``exclusive_create_limit`` left to its default."""

    def __repr__(self) -> str:
        return "DEFAULT_LIMIT"

    def __reduce__(self) -> str:
        return "DEFAULT_LIMIT"  # unpickles as this module's one marker


#: ``exclusive_create_limit`` not given: ``part_size * (max_concurrency + 1)``.
DEFAULT_LIMIT: Any = _DefaultLimit()

#: obstore's HTTP client settings (``ClientConfig``); other client_options keys go to the store.
_CLIENT_KEYS = frozenset(
    {
        "allow_http",
        "allow_invalid_certificates",
        "connect_timeout",
        "default_content_type",
        "default_headers",
        "http1_only",
        "http2_keep_alive_interval",
        "http2_keep_alive_timeout",
        "http2_keep_alive_while_idle",
        "http2_only",
        "pool_idle_timeout",
        "pool_max_idle_per_host",
        "proxy_url",
        "proxy_ca_certificate",
        "proxy_excludes",
        "root_certificate",
        "randomize_addresses",
        "read_timeout",
        "timeout",
        "user_agent",
    }
)


def retry_policy(retry: RetryPolicy | Mapping[str, Any] | None) -> RetryPolicy:
    """The policy from a :class:`RetryPolicy`, its fields as a mapping, or the default."""
    if isinstance(retry, Mapping):
        return RetryPolicy(**retry)
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise ConfigError(f"retry must be a RetryPolicy or a mapping, got {type(retry).__name__}")
    return retry or RetryPolicy()


def retry_config(policy: RetryPolicy) -> dict[str, Any]:
    """obstore's ``RetryConfig`` for a policy: ``max_attempts`` counts the first try, the
    backoff doubles from ``backoff_base`` up to ``backoff_max`` (obstore adds its own full
    jitter; ``jitter`` has no separate knob there)."""
    return {
        "max_retries": policy.max_attempts - 1,
        "backoff": {
            "init_backoff": timedelta(seconds=policy.backoff_base),
            "max_backoff": timedelta(seconds=max(policy.backoff_max, policy.backoff_base)),
            "base": 2,
        },
    }


def strip_userinfo(url: str | None) -> str | None:
    """``url`` without ``user:password@`` (for reprs and resolution plans)."""
    if not url:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _secret(value: str | Secret | None) -> Secret | None:
    return None if value is None else Secret(value)


class Flavour:
    """One service's options and how to build its obstore store."""

    #: The backend type name, e.g. ``"s3-obstore"``.
    name: ClassVar[str]
    #: The scheme of native paths (``s3://bucket/key``).
    scheme: ClassVar[str]
    #: Whether ``copy(overwrite=False)`` is enforced by the service itself.
    native_copy_if_not_exists: bool = False
    #: What the service calls the container of objects.
    container_kind: ClassVar[str] = "bucket"

    def __init__(
        self,
        container: str,
        client_options: Mapping[str, Any] | None,
        retry: RetryPolicy | Mapping[str, Any] | None,
    ) -> None:
        if not isinstance(container, str) or not container.strip():
            raise ConfigError(f"{self.name}: the bucket/container name must be a non-empty string")
        if client_options is not None and not isinstance(client_options, Mapping):
            raise ConfigError(f"{self.name}: client_options must be a mapping")
        self.container = container
        self.policy = retry_policy(retry)
        options = dict(client_options or {})
        self.client: dict[str, Any] = {k: v for k, v in options.items() if k in _CLIENT_KEYS}
        self.extra: dict[str, Any] = {k: v for k, v in options.items() if k not in _CLIENT_KEYS}
        if self.policy.timeout is not None:
            self.client.setdefault("timeout", timedelta(seconds=self.policy.timeout))
            self.client.setdefault("connect_timeout", timedelta(seconds=self.policy.timeout))

    def _allow_http(self, endpoint: str | None) -> None:
        if endpoint and endpoint.lower().startswith("http://"):
            self.client.setdefault("allow_http", True)

    def build(self) -> Any:
        """A new obstore store (no I/O: credentials are fetched at the first request)."""
        raise NotImplementedError

    def endpoint(self) -> str | None:
        """The service endpoint, without credentials (for reprs and plans)."""
        raise NotImplementedError

    def location(self) -> str:
        """``<name> bucket '<bucket>'`` and the endpoint (no query, masked) when set."""
        where = f"{self.name} {self.container_kind} {self.container!r}"
        endpoint = self.endpoint()
        if endpoint:
            where += f" at {redact_url(endpoint.split('?', 1)[0])!r}"
        return where


class S3Flavour(Flavour):
    """S3 and S3-compatible services; the option names of the ``s3`` backend."""

    name = "s3-obstore"
    scheme = "s3://"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        key: str | Secret | None = None,
        secret: str | Secret | None = None,
        access_key: str | Secret | None = None,
        secret_key: str | Secret | None = None,
        session_token: str | Secret | None = None,
        region_name: str | None = None,
        tls_ca_bundle: str | None = None,
        client_options: Mapping[str, Any] | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(bucket, client_options, retry)
        if access_key is not None and key is not None:
            raise ConfigError("give the access key once: key or access_key, not both")
        if secret_key is not None and secret is not None:
            raise ConfigError("give the secret key once: secret or secret_key, not both")
        self.key = _secret(key if key is not None else access_key)
        self.secret = _secret(secret if secret is not None else secret_key)
        self.session_token = _secret(session_token)
        self.endpoint_url = endpoint_url
        self.region_name = region_name
        if tls_ca_bundle:
            self.client.setdefault("root_certificate", tls_ca_bundle)
        self._allow_http(endpoint_url)
        # S3 has no native copy-if-not-exists; obstore offers it when configured for it
        self.native_copy_if_not_exists = bool(self.extra.get("copy_if_not_exists"))

    def build(self) -> Any:
        from obstore.store import S3Store

        build: Any = S3Store  # obstore's TypedDicts do not take our validated dicts

        config: dict[str, Any] = dict(self.extra)
        if self.key is not None:
            config["access_key_id"] = reveal(self.key)
        if self.secret is not None:
            config["secret_access_key"] = reveal(self.secret)
        if self.session_token is not None:
            config["session_token"] = reveal(self.session_token)
        if self.endpoint_url:
            config["endpoint"] = self.endpoint_url
            config.setdefault("virtual_hosted_style_request", False)
        config.setdefault("region", self.region_name or "us-east-1")
        return build(
            self.container,
            config=config,
            client_options=self.client or None,
            retry_config=retry_config(self.policy),
        )

    def endpoint(self) -> str | None:
        return strip_userinfo(self.endpoint_url)

    def __repr__(self) -> str:
        return (
            f"bucket={self.container!r}, endpoint_url={self.endpoint()!r},"
            f" region_name={self.region_name!r}, key={self.key!r}, secret={self.secret!r}"
        )


def parse_connection_string(text: str) -> dict[str, str]:
    """``Key=Value;...`` pairs of an Azure Storage connection string."""
    pairs: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.strip().partition("=")
        if not part.strip():
            continue
        if not sep:
            raise ConfigError("azure-obstore: connection_string is not Key=Value;... pairs")
        pairs[name.strip()] = value.strip()
    return pairs


class AzureFlavour(Flavour):
    """Azure Blob Storage (flat namespace); the option names of the ``azure`` backend."""

    name = "azure-obstore"
    container_kind = "container"
    scheme = "az://"
    native_copy_if_not_exists = True  # Copy Blob with If-None-Match: *

    def __init__(
        self,
        container: str,
        *,
        account_name: str | None = None,
        account_url: str | None = None,
        account_key: str | Secret | None = None,
        sas_token: str | Secret | None = None,
        connection_string: str | Secret | None = None,
        credential: Any = None,
        client_options: Mapping[str, Any] | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        hns: bool = False,
    ) -> None:
        super().__init__(container, client_options, retry)
        if hns is not False:
            raise ConfigError("azure-obstore: hns is not supported; use type 'azure' for ADLS Gen2")
        if credential is not None:
            raise ConfigError(
                "azure-obstore: credential objects are not supported; give account_key,"
                " sas_token or connection_string, or none to use the environment"
            )
        self.account_name = account_name
        self.account_url = account_url.rstrip("/") if account_url else None
        self.account_key = _secret(account_key)
        self.sas_token = _secret(sas_token)
        self.emulator = False
        if connection_string is not None:
            pairs = parse_connection_string(Secret(connection_string).reveal())
            if pairs.get("UseDevelopmentStorage", "").lower() == "true":
                self.emulator = True
            self.account_name = self.account_name or pairs.get("AccountName")
            if "AccountKey" in pairs and self.account_key is None:
                self.account_key = Secret(pairs["AccountKey"])
            if "SharedAccessSignature" in pairs and self.sas_token is None:
                self.sas_token = Secret(pairs["SharedAccessSignature"])
            self.account_url = self.account_url or pairs.get("BlobEndpoint", "").rstrip("/") or None
        if self.account_name is None and self.account_url is None and not self.emulator:
            raise ConfigError(
                "azure-obstore: give connection_string, account_url or account_name to find"
                " the account"
            )
        if self.account_name is None and self.account_url:
            from urllib.parse import urlsplit

            host = urlsplit(self.account_url).hostname or ""
            if host.endswith(".blob.core.windows.net"):
                self.account_name = host.split(".", 1)[0]
            else:  # an emulator: http://host:port/<account>
                self.account_name = urlsplit(self.account_url).path.strip("/") or None
        self._allow_http(self.account_url)

    def build(self) -> Any:
        from obstore.store import AzureStore

        build: Any = AzureStore  # obstore's TypedDicts do not take our validated dicts

        config: dict[str, Any] = dict(self.extra)
        if self.emulator:
            config.setdefault("use_emulator", True)
        if self.account_name:
            config["account_name"] = self.account_name
        if self.account_key is not None:
            config["account_key"] = reveal(self.account_key)
        elif self.sas_token is not None:
            config["sas_key"] = self.sas_token.reveal().lstrip("?")
        if self.account_url:
            config["endpoint"] = self.account_url
        return build(
            self.container,
            config=config,
            client_options=self.client or None,
            retry_config=retry_config(self.policy),
        )

    def endpoint(self) -> str | None:
        return strip_userinfo(self.account_url)

    def location(self) -> str:
        """``azure-obstore account '<name>' container '<container>'`` (and the endpoint)."""
        where = super().location()
        if self.account_name:
            head, _, rest = where.partition(" container ")
            where = f"{head} account {self.account_name!r} container {rest}"
        return where

    def __repr__(self) -> str:
        return (
            f"container={self.container!r}, account_name={self.account_name!r},"
            f" account_url={self.endpoint()!r}, account_key={self.account_key!r},"
            f" sas_token={self.sas_token!r}"
        )


class GcsFlavour(Flavour):
    """Google Cloud Storage; the option names of the ``gcs`` backend where they exist."""

    name = "gcs-obstore"
    scheme = "gs://"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        credentials_json: str | Secret | None = None,
        service_account_path: str | None = None,
        token: str | Secret | None = None,
        anonymous: bool | None = None,
        project: str | None = None,
        client_options: Mapping[str, Any] | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(bucket, client_options, retry)
        if anonymous and (credentials_json is not None or token is not None):
            raise ConfigError("gcs-obstore: give credentials or anonymous=True, not both")
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        self.credentials_json = _secret(credentials_json)
        self.service_account_path = service_account_path
        self.token = _secret(token)
        self.project = project
        given = credentials_json is not None or token is not None or service_account_path
        self.anonymous = (
            bool(anonymous) if anonymous is not None else bool(endpoint_url) and not given
        )
        self._allow_http(self.endpoint_url)

    def build(self) -> Any:
        from obstore.store import GCSStore

        build: Any = GCSStore  # obstore's TypedDicts do not take our validated dicts
        config: dict[str, Any] = dict(self.extra)
        if self.endpoint_url:
            config["base_url"] = self.endpoint_url
        if self.credentials_json is not None:
            config["service_account_key"] = self.credentials_json.reveal()
        if self.service_account_path:
            config["service_account"] = self.service_account_path
        if self.anonymous:
            config["skip_signature"] = True
        provider = None
        if self.token is not None:
            value = self.token.reveal()

            def provider() -> dict[str, Any]:  # a fixed bearer token (an emulator's, a test's)
                return {"token": value, "expires_at": None}

        elif self.anonymous:
            # obstore skips signing reads only: without a provider its writes and deletes
            # ask the cloud metadata server for a token. An anonymous client has none.
            def provider() -> dict[str, Any]:
                return {"token": "anonymous", "expires_at": None}

        return build(
            self.container,
            config=config,
            client_options=self.client or None,
            retry_config=retry_config(self.policy),
            credential_provider=provider,
        )

    def endpoint(self) -> str | None:
        return strip_userinfo(self.endpoint_url)

    def __repr__(self) -> str:
        return (
            f"bucket={self.container!r}, endpoint_url={self.endpoint()!r},"
            f" project={self.project!r}, credentials_json={self.credentials_json!r},"
            f" token={self.token!r}, anonymous={self.anonymous!r}"
        )
