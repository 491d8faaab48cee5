"""Options, credentials and SDK clients of the Azure backends.

Credential precedence (as remote-store 0.27): ``connection_string``, then an explicit
``credential`` object, then ``account_key``, then ``sas_token``, then
``DefaultAzureCredential`` from azure-identity when it is installed. Secret options may
be ``str`` or :class:`~remote_store.Secret`; they are revealed only when a client is built
and never kept in a form that a ``repr`` would show.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from azure.core.credentials import AzureNamedKeyCredential, AzureSasCredential
from azure.storage.blob.aio import BlobServiceClient, ExponentialRetry
from remote_store.backend import RetryPolicy, Secret, redact_url, reveal
from remote_store.errors import BackendUnavailable, ConfigError

from remote_store_azure._hns import HnsOps

__all__ = [
    "AzureSettings",
    "Clients",
    "RetryMapping",
    "build_blob_service",
    "build_datalake_service",
]

log = logging.getLogger("remote_store.azure")

MiB = 1024 * 1024

#: Transfer sizes the backend sets unless ``client_options`` overrides them: small first
#: and later download ranges keep reads lazy and bounded; 4 MiB blocks for uploads.
CLIENT_PRESETS: dict[str, int] = {
    "max_single_put_size": 4 * MiB,
    "max_block_size": 4 * MiB,
    "min_large_block_upload_threshold": 4 * MiB + 1,
    "max_single_get_size": 1 * MiB,
    "max_chunk_get_size": 2 * MiB,
}

HnsMode = bool | Literal["auto"]


class RetryMapping(ExponentialRetry):
    """The SDK's exponential retry driven by a :class:`RetryPolicy`.

    ``max_attempts`` counts the first try (``retry_total = max_attempts - 1``); the wait
    before retry ``n`` is ``min(backoff_max, backoff_base * 2**(n-1))`` plus up to
    ``jitter`` seconds, as the policy documents. The SDK retries only what is safe to
    repeat (timeouts, 408, 429 and 5xx) and honours ``Retry-After``.
    """

    def __init__(self, policy: RetryPolicy) -> None:
        super().__init__(
            initial_backoff=int(policy.backoff_base),
            increment_base=2,
            retry_total=policy.max_attempts - 1,
            random_jitter_range=int(policy.jitter),
        )
        self.policy = policy

    def get_backoff_time(self, settings: dict[str, Any]) -> float:
        """Seconds to wait before the next retry."""
        count = int(settings.get("count", 0))
        base = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** max(count, 0))
        return float(base + random.uniform(0, self.policy.jitter))


def _reveal_deep(value: Any) -> Any:
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Mapping):
        return {key: _reveal_deep(item) for key, item in value.items()}
    return value


@dataclass(frozen=True, repr=False)
class AzureSettings:
    """The backend's options, validated; secret values stay wrapped in :class:`Secret`."""

    container: str
    account_name: str | None = None
    account_url: str | None = None
    account_key: Secret | None = None
    sas_token: Secret | None = None
    connection_string: Secret | None = None
    credential: Any = None
    client_options: Mapping[str, Any] = field(default_factory=dict)
    retry: RetryPolicy | None = None
    max_concurrency: int = 1
    reject_write_under_file_ancestor: bool = False
    hns: HnsMode = False

    @classmethod
    def create(
        cls,
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
        max_concurrency: int = 1,
        reject_write_under_file_ancestor: bool = False,
        hns: HnsMode = False,
    ) -> AzureSettings:
        """Validate the constructor options of both Azure backends."""
        if not isinstance(container, str) or not container.strip():
            raise ConfigError("azure: 'container' is required")
        if hns not in (True, False, "auto"):
            raise ConfigError(f"azure: hns must be True, False or 'auto', got {hns!r}")
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            raise ConfigError("azure: max_concurrency must be an int")
        if max_concurrency < 1:
            raise ConfigError("azure: max_concurrency must be >= 1")
        if isinstance(retry, Mapping):
            retry = RetryPolicy(**retry)
        if connection_string is None and account_url is None and account_name is None:
            raise ConfigError(
                "azure: give connection_string, account_url or account_name to find the account"
            )
        if account_key is not None and account_name is None and connection_string is None:
            raise ConfigError("azure: account_key needs account_name")
        return cls(
            container=container,
            account_name=account_name,
            account_url=account_url.rstrip("/") if account_url else None,
            account_key=Secret(account_key) if account_key is not None else None,
            sas_token=Secret(sas_token) if sas_token is not None else None,
            connection_string=Secret(connection_string) if connection_string is not None else None,
            credential=credential,
            client_options=dict(client_options or {}),
            retry=retry,
            max_concurrency=max_concurrency,
            reject_write_under_file_ancestor=bool(reject_write_under_file_ancestor),
            hns=hns,
        )

    def __repr__(self) -> str:
        auth = self.auth_kind()
        where = redact_url(self.account_url or self.account_name or "connection string")
        return f"container={self.container!r}, account={where!r}, auth={auth!r}, hns={self.hns!r}"

    def location(self) -> str:
        """``account '<endpoint>' container '<container>'``, never a credential: with a
        connection string, only its ``BlobEndpoint`` (query dropped) or ``AccountName``."""
        if self.connection_string is not None:
            fields = dict(
                part.strip().partition("=")[::2]
                for part in (reveal(self.connection_string) or "").split(";")
            )
            account = fields.get("BlobEndpoint") or fields.get("AccountName") or "?"
        else:
            account = self.blob_url()
        account = redact_url(account.split("?", 1)[0].rstrip("/"))
        return f"account {account!r} container {self.container!r}"

    def auth_kind(self) -> str:
        """Which credential wins the precedence (for reprs and logs; never the value)."""
        if self.connection_string is not None:
            return "connection_string"
        if self.credential is not None:
            return "credential"
        if self.account_key is not None:
            return "account_key"
        if self.sas_token is not None:
            return "sas_token"
        if self.url_sas() is not None:
            return "sas_in_account_url"
        return "default"

    def url_sas(self) -> str | None:
        """A SAS given as the query of ``account_url`` (``https://acct...net/?sv=..&sig=..``)."""
        if not self.account_url or "?" not in self.account_url:
            return None
        query = self.account_url.split("?", 1)[1]
        return query if "sig=" in query else None

    def blob_url(self) -> str:
        """The account's Blob endpoint (when no connection string is given)."""
        if self.account_url:
            # a SAS in the query travels as the credential, never inside the endpoint
            return self.account_url.split("?", 1)[0].rstrip("/")
        return f"https://{self.account_name}.blob.core.windows.net"

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of every SDK client: presets, retry, timeouts, user options."""
        kwargs: dict[str, Any] = dict(CLIENT_PRESETS)
        if self.retry is not None:
            kwargs["retry_policy"] = RetryMapping(self.retry)
            if self.retry.timeout is not None:
                kwargs["connection_timeout"] = self.retry.timeout
                kwargs["read_timeout"] = self.retry.timeout
        kwargs.update(_reveal_deep(dict(self.client_options)))
        return kwargs


def _explicit_credential(settings: AzureSettings) -> Any:
    if settings.credential is not None:
        return settings.credential
    if settings.account_key is not None:
        return AzureNamedKeyCredential(str(settings.account_name), settings.account_key.reveal())
    if settings.sas_token is not None:
        return AzureSasCredential(settings.sas_token.reveal().lstrip("?"))
    url_sas = settings.url_sas()
    if url_sas is not None:
        return AzureSasCredential(url_sas)
    return None


def default_credential() -> Any:
    """``azure.identity.aio.DefaultAzureCredential()``, or BackendUnavailable without it."""
    try:
        from azure.identity.aio import DefaultAzureCredential
    except ImportError:
        raise BackendUnavailable(
            "azure: no credential given and azure-identity is not installed "
            "(pip install 'remote-store-azure[identity]')",
            backend="azure",
        ) from None
    return DefaultAzureCredential()


def build_blob_service(settings: AzureSettings, owned: list[Any]) -> BlobServiceClient:
    """The async Blob service client; a credential it creates is appended to ``owned``."""
    kwargs = settings.client_kwargs()
    if settings.connection_string is not None:
        return BlobServiceClient.from_connection_string(
            str(reveal(settings.connection_string)), **kwargs
        )
    credential = _explicit_credential(settings)
    if credential is None:
        credential = default_credential()
        owned.append(credential)
    return BlobServiceClient(settings.blob_url(), credential=credential, **kwargs)


def build_datalake_service(settings: AzureSettings, blob: BlobServiceClient) -> Any:
    """The async DataLake service client of the same account (HNS operations only)."""
    from azure.storage.filedatalake.aio import DataLakeServiceClient

    kwargs = settings.client_kwargs()
    if settings.connection_string is not None:
        return DataLakeServiceClient.from_connection_string(
            str(reveal(settings.connection_string)), **kwargs
        )
    url = blob.url.split("?", 1)[0].rstrip("/").replace(".blob.", ".dfs.")
    return DataLakeServiceClient(url, credential=blob.credential, **kwargs)


class Clients:
    """The SDK clients of one backend: made on first use, closed together."""

    def __init__(self, settings: AzureSettings) -> None:
        self.settings = settings
        self.service: Any = None
        self.container: Any = None
        self.datalake: HnsOps | None = None
        self._owned: list[Any] = []

    def container_client(self) -> Any:
        """The async ``ContainerClient`` (with its service client)."""
        if self.container is None:
            self.service = build_blob_service(self.settings, self._owned)
            self.container = self.service.get_container_client(self.settings.container)
        return self.container

    async def detect_hns(self) -> bool:
        """Whether the account has a hierarchical namespace (best effort, as in 0.27)."""
        try:
            self.container_client()
            info = await self.service.get_account_information()
            return bool(info.get("is_hns_enabled"))
        except Exception as exc:
            log.warning(
                "azure: HNS detection failed (%s); using the flat namespace",
                type(exc).__name__,
            )
            return False

    def hns_ops(self) -> HnsOps:
        """The DataLake leg of an HNS account."""
        if self.datalake is None:
            service = build_datalake_service(self.settings, self.service)
            self.container_client()
            self.datalake = HnsOps(service.get_file_system_client(self.settings.container))
        return self.datalake

    async def close(self) -> None:
        """Close every client, and the credentials made for them."""
        if self.datalake is not None:
            await self.datalake.close()
            self.datalake = None
        if self.service is not None:
            service, self.service, self.container = self.service, None, None
            await service.close()
        owned, self._owned = self._owned, []
        for credential in owned:
            await credential.close()
