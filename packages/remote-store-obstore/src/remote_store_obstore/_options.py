"""The options of the backend types ``s3-obstore``, ``azure-obstore`` and ``gcs-obstore``,
shared by the sync and the async classes (each is a mixin placed before the backend base).

Each takes the options of the backend it stands in for (``s3``, ``azure``) under the same
names, plus four of its own: ``part_size`` (bytes of a multipart part, at least 5 MiB),
``max_concurrency`` (parts uploaded at once), ``exclusive_create_limit`` (the longest
create-only write sent as one create-only PUT, so refused by the service itself when the
key exists: default ``part_size * (max_concurrency + 1)``, 25 MiB; ``None``: no limit, the
whole content in memory) and ``reject_write_under_file_ancestor``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from remote_store.backend import RetryPolicy, Secret

from remote_store_obstore._flavours import (
    DEFAULT_LIMIT,
    PART_SIZE,
    UPLOAD_CONCURRENCY,
    AzureFlavour,
    GcsFlavour,
    S3Flavour,
)

__all__ = ["AzureOptions", "GcsOptions", "S3Options"]


class S3Options:
    """Amazon S3 and S3-compatible services (type ``s3-obstore``).

    Options as the ``s3`` backend: ``bucket``, ``endpoint_url``, ``key``/``secret`` (or
    ``access_key``/``secret_key``; ``str`` or :class:`Secret`; from the environment when
    omitted), ``region_name``, ``tls_ca_bundle``, ``client_options`` (obstore's
    ``ClientConfig`` and ``S3Config`` keys), ``retry``; and ``session_token``.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        key: str | Secret | None = None,
        secret: str | Secret | None = None,
        region_name: str | None = None,
        tls_ca_bundle: str | None = None,
        client_options: Mapping[str, Any] | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        reject_write_under_file_ancestor: bool = False,
        access_key: str | Secret | None = None,
        secret_key: str | Secret | None = None,
        session_token: str | Secret | None = None,
        part_size: int = PART_SIZE,
        max_concurrency: int = UPLOAD_CONCURRENCY,
        exclusive_create_limit: int | None = DEFAULT_LIMIT,
    ) -> None:
        flavour = S3Flavour(
            bucket,
            endpoint_url=endpoint_url,
            key=key,
            secret=secret,
            access_key=access_key,
            secret_key=secret_key,
            session_token=session_token,
            region_name=region_name,
            tls_ca_bundle=tls_ca_bundle,
            client_options=client_options,
            retry=retry,
        )
        cast(Any, super()).__init__(  # the backend class next in the MRO
            flavour,
            part_size=part_size,
            max_concurrency=max_concurrency,
            reject_write_under_file_ancestor=reject_write_under_file_ancestor,
            exclusive_create_limit=exclusive_create_limit,
        )


class AzureOptions:
    """Azure Blob Storage, flat namespace (type ``azure-obstore``).

    Options as the ``azure`` backend: ``container``, ``account_name``, ``account_url``,
    ``account_key``, ``sas_token``, ``connection_string`` (secrets as ``str`` or
    :class:`Secret`), ``client_options`` (obstore's ``ClientConfig`` and ``AzureConfig``
    keys), ``retry``, ``max_concurrency``. ``credential`` objects and ``hns`` are refused
    with :class:`ConfigError` (use type ``azure`` for those).
    """

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
        max_concurrency: int = UPLOAD_CONCURRENCY,
        reject_write_under_file_ancestor: bool = False,
        hns: bool = False,
        part_size: int = PART_SIZE,
        exclusive_create_limit: int | None = DEFAULT_LIMIT,
    ) -> None:
        flavour = AzureFlavour(
            container,
            account_name=account_name,
            account_url=account_url,
            account_key=account_key,
            sas_token=sas_token,
            connection_string=connection_string,
            credential=credential,
            client_options=client_options,
            retry=retry,
            hns=hns,
        )
        cast(Any, super()).__init__(  # the backend class next in the MRO
            flavour,
            part_size=part_size,
            max_concurrency=max_concurrency,
            reject_write_under_file_ancestor=reject_write_under_file_ancestor,
            exclusive_create_limit=exclusive_create_limit,
        )


class GcsOptions:
    """Google Cloud Storage (type ``gcs-obstore``; not certified: the emulator refuses its writes).

    Options as the ``gcs`` backend: ``bucket``, ``credentials_json`` (a service-account key,
    ``str`` or :class:`Secret`), ``anonymous`` (default: when ``endpoint_url`` is given
    without credentials), ``project``, ``endpoint_url``, ``chunk_size`` (taken as
    ``part_size``, at least 5 MiB), ``retry``; and ``service_account_path``, ``token`` (a
    fixed bearer token), ``client_options`` (obstore's ``ClientConfig`` and ``GCSConfig``).
    """

    def __init__(
        self,
        bucket: str,
        *,
        credentials_json: str | Secret | None = None,
        anonymous: bool | None = None,
        project: str | None = None,
        endpoint_url: str | None = None,
        chunk_size: int | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        service_account_path: str | None = None,
        token: str | Secret | None = None,
        client_options: Mapping[str, Any] | None = None,
        reject_write_under_file_ancestor: bool = False,
        part_size: int = PART_SIZE,
        max_concurrency: int = UPLOAD_CONCURRENCY,
        exclusive_create_limit: int | None = DEFAULT_LIMIT,
    ) -> None:
        flavour = GcsFlavour(
            bucket,
            endpoint_url=endpoint_url,
            credentials_json=credentials_json,
            service_account_path=service_account_path,
            token=token,
            anonymous=anonymous,
            project=project,
            client_options=client_options,
            retry=retry,
        )
        if isinstance(chunk_size, int) and not isinstance(chunk_size, bool):
            part_size = max(part_size, chunk_size)
        cast(Any, super()).__init__(  # the backend class next in the MRO
            flavour,
            part_size=part_size,
            max_concurrency=max_concurrency,
            reject_write_under_file_ancestor=reject_write_under_file_ancestor,
            exclusive_create_limit=exclusive_create_limit,
        )
