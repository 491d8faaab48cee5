"""Secret values that never show in a repr, a log line, an exception or a pickle.

Three things live here:

* :class:`Secret`, the wrapper backends receive for credentials (they call :func:`reveal`);
* the wrapping rules for configuration options (:func:`is_secret_key`, :func:`wrap_secrets`);
* the masking of text and log records (:func:`redact_text`, :class:`SecretRedactionFilter`).

Every :class:`Secret` remembers its value (4 characters or longer) in a process-wide set
so that the value is masked wherever it shows up in a log record of remote-store, even
when some code revealed it into a plain message.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from remote_store import _open_stores
from remote_store._secret_scan import (
    SECRET_PARAM_NAMES,
    SECRET_PARAM_PATTERNS,
    TooManyMatches,
    field_value_spans,
    mask_fields,
    mask_userinfo,
    userinfo_spans,
)

__all__ = [
    "NON_SECRET_KEYS",
    "SDK_LOGGERS",
    "SECRET_KEY_PATTERNS",
    "SECRET_PARAM_NAMES",
    "SECRET_PARAM_PATTERNS",
    "Secret",
    "SecretRedactionFilter",
    "is_secret_key",
    "redact_text",
    "redact_url",
    "reveal",
    "sdk_log_redaction_active",
    "set_sdk_log_redaction",
    "wrap_secrets",
]

_MASK = "***"

#: Substrings that make an option key secret (compared in lower case).
SECRET_KEY_PATTERNS: tuple[str, ...] = (
    "secret",
    "password",
    "passwd",
    "token",
    "key",
    "credential",
    "connection_string",
    "passphrase",
)

#: Keys that match a pattern but name something public: paths, identifiers of columns,
#: public keys and host keys. Compared in lower case.
NON_SECRET_KEYS: frozenset[str] = frozenset(
    {
        "key_filename",
        "key_file",
        "key_path",
        "keyfile",
        "public_key",
        "public_keys",
        "host_key",
        "host_keys",
        "known_hosts",
        "known_host_keys",
        "key_prefix",
        "key_column",
        "primary_key",
        "partition_key",
        "sort_key",
        "token_url",
        "token_endpoint",
    }
)

#: Key suffixes that name a location, not a value: ``ssl_key_file``, ``credentials_path``.
_NON_SECRET_SUFFIXES: tuple[str, ...] = (
    "_filename",
    "_file",
    "_path",
    "_dir",
    "_url",
    "_endpoint",
    "_policy",
)

_MIN_KNOWN_LENGTH = 4
_known_lock = threading.Lock()
_known_values: set[str] = set()


class Secret:
    """An immutable wrapper of a secret string; ``reveal()`` returns the value."""

    __slots__ = ("_reference", "_value")

    def __init__(self, value: str | Secret) -> None:
        # pickling: a value read from ``${VAR}`` keeps that text as its reference
        reference = (
            value.reference if isinstance(value, Secret) else getattr(value, "template", None)
        )
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"Secret wraps a str, not {type(value).__name__}")
        object.__setattr__(self, "_value", str(value))
        object.__setattr__(self, "_reference", reference if isinstance(reference, str) else None)
        _remember(value)
        remember_url_secrets(value)

    def reveal(self) -> str:
        """The secret value."""
        return str(object.__getattribute__(self, "_value"))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, spec: str) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self.reveal() == other.reveal()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self.reveal()))

    def __bool__(self) -> bool:
        return bool(self.reveal())

    def __len__(self) -> int:
        return len(self.reveal())

    @property
    def reference(self) -> str | None:
        """The ``${VAR}`` text this value was read from (``None`` for a value given inline).

        A pickled Secret carries only this reference, resolved again where it is unpickled.
        """
        return str(object.__getattribute__(self, "_reference") or "") or None

    def __reduce__(self) -> tuple[Any, ...]:
        # never the value in clear: its reference, or a typed refusal (remote_store._pickling)
        from remote_store._pickling import secret_reduce

        return secret_reduce(self, self.reference)


def reveal(value: str | Secret | None) -> str | None:
    """The plain value of an option that may be a :class:`Secret`."""
    if isinstance(value, Secret):
        return value.reveal()
    return value


# -- which options are secret ---------------------------------------------------------


def is_secret_key(key: str) -> bool:
    """Whether an option named ``key`` holds a credential (see the module's rules)."""
    name = key.lower()
    if name in NON_SECRET_KEYS or name.endswith(_NON_SECRET_SUFFIXES):
        return False
    return any(pattern in name for pattern in SECRET_KEY_PATTERNS)


def is_headers_key(key: str) -> bool:
    """Whether ``key`` names a table of HTTP headers (``headers``, ``extra_headers``)."""
    name = key.lower()
    return name == "headers" or name.endswith("_headers")


def has_url_userinfo(text: str) -> bool:
    """Whether ``text`` contains a URL with credentials (``scheme://user:pass@host``)."""
    return next(userinfo_spans(text), None) is not None


def _iter_url_secrets(text: str) -> Iterator[str]:
    for start, end in userinfo_spans(text):
        user, colon, password = text[start:end].partition(":")
        yield password if colon else user
    for start, end in field_value_spans(text):
        yield text[start:end]


def url_secret_parts(text: str) -> list[str]:
    """The credentials inside ``text``: URL passwords (or bare userinfo tokens) and the
    values of secret query parameters / fields (``?sig=...``, ``;AccountKey=...``).

    A text with thousands of URLs or fields is one credential as a whole: ``[text]``.
    """
    try:
        return list(_iter_url_secrets(text))
    except TooManyMatches:
        return [text]


def has_url_secrets(text: str) -> bool:
    """Whether ``text`` holds URL userinfo or a secret query parameter / field (a text
    with thousands of URLs or fields counts as secret)."""
    try:
        return next(_iter_url_secrets(text), None) is not None
    except TooManyMatches:
        return True


def remember_url_secrets(text: str) -> None:
    """Remember the credentials inside ``text`` so log records mask them wherever they
    show up (also when an SDK prints them apart from the URL)."""
    parts = {p for p in url_secret_parts(text) if len(p) >= _MIN_KNOWN_LENGTH and p != _MASK}
    if parts:
        with _known_lock:
            _known_values.update(parts)


def wrap_secrets(options: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``options`` with every secret string wrapped in :class:`Secret`.

    A string is secret when its key matches :func:`is_secret_key`, when it is a value of a
    headers table, when it sits anywhere inside a table or list under a secret key, or
    when it is a URL with userinfo. Nested tables and lists are walked recursively;
    existing :class:`Secret` values stay as they are.
    """
    return {key: _wrap(value, _key_is_secret(key)) for key, value in options.items()}


def _key_is_secret(key: object) -> bool:
    return isinstance(key, str) and (is_secret_key(key) or is_headers_key(key))


def _wrap(value: Any, secret: bool) -> Any:
    if isinstance(value, str):
        return Secret(value) if secret or has_url_secrets(value) else value
    if isinstance(value, Mapping):
        return {k: _wrap(v, secret or _key_is_secret(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_wrap(item, secret) for item in value)
    return value


# -- masking text and log records -----------------------------------------------------


def _remember(value: str) -> None:
    if len(value) >= _MIN_KNOWN_LENGTH and value != _MASK:
        with _known_lock:
            _known_values.add(value)


def redact_url(text: str) -> str:
    """Mask the credentials written inside URLs and ``name=value`` fields of ``text``
    (userinfo, ``?sig=``, ``;AccountKey=``), leaving the rest readable. Unlike
    :func:`redact_text` it does not mask known Secret values (a whole URL may be one)."""
    return mask_fields(mask_userinfo(text))


def redact_text(text: str) -> str:
    """Mask URL userinfo (``scheme://***@host``), secret query parameters and fields
    (``?sig=***``, ``Password=***``) and every known :class:`Secret` value."""
    text = redact_url(text)
    with _known_lock:
        known = sorted(_known_values, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, _MASK)
    return text


def redact_value(value: Any) -> Any:
    """``value`` with secrets masked, for reprs: Secrets and strings masked recursively."""
    if isinstance(value, Secret):
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(item) for item in value)
    return value


def redact_record(record: logging.LogRecord) -> None:
    """Mask a log record in place: its message, its arguments and its traceback text."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: mask what is there
        message = f"{record.msg} {record.args!r}"
    record.msg = redact_text(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        record.exc_text = redact_text(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)


class SecretRedactionFilter(logging.Filter):
    """A logging filter that masks Secrets, URL credentials and known secret values.

    Attach it to a handler (or a logger) of your own; remote-store's loggers are masked
    already (see :func:`install_default_redaction`).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


# -- redaction on by default for remote-store's loggers -------------------------------

_factory_lock = threading.Lock()
_installed = False


def _is_remote_store_logger(name: object) -> bool:
    if not isinstance(name, str):  # logging.makeLogRecord({}) gives a record named None
        return False
    return name == "remote_store" or name.startswith(("remote_store.", "remote_store_"))


# -- redaction of the SDK loggers while a store is open ---------------------------------

#: Top-level logger names of the SDKs backends drive; their records are masked while a
#: store is open (botocore prints the access key id in Authorization headers at DEBUG,
#: httpx prints URLs with userinfo at INFO).
SDK_LOGGERS: frozenset[str] = frozenset(
    {
        "botocore",
        "boto3",
        "aiobotocore",
        "s3fs",
        "fsspec",
        "urllib3",
        "requests",
        "httpx",
        "httpcore",
        "aiohttp",
        "azure",
        "adlfs",
        "paramiko",
        "asyncssh",
        "sqlalchemy",
        "pyarrow",
    }
)
_SDK_SWITCH_VARIABLE = "REMOTE_STORE_REDACT_SDK_LOGS"
_sdk_enabled = os.environ.get(_SDK_SWITCH_VARIABLE, "1").strip().lower() not in (
    "0",
    "false",
    "no",
    "off",
)


def set_sdk_log_redaction(enabled: bool) -> None:
    """Switch the masking of SDK log records (on by default; also the environment
    variable ``REMOTE_STORE_REDACT_SDK_LOGS=0``). It applies only while a store is open."""
    global _sdk_enabled
    _sdk_enabled = bool(enabled)


def sdk_log_redaction_active() -> bool:
    """Whether records of the SDK loggers are masked right now."""
    return _sdk_enabled and _open_stores.count() > 0


def _is_sdk_logger(name: str) -> bool:
    return name.partition(".")[0] in SDK_LOGGERS


def install_default_redaction() -> None:
    """Mask every record created by a ``remote_store*`` logger (idempotent).

    A filter on the ``remote_store`` logger would not see records of its children
    (logger filters do not apply to propagated records), so the masking wraps the
    process's log-record factory and touches only records of remote-store's loggers:
    ``remote_store``, ``remote_store.*`` and the plugins' ``remote_store_*``.
    """
    global _installed
    with _factory_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            name = record.name
            if _is_remote_store_logger(name) or (
                _sdk_enabled
                and _open_stores.count() > 0
                and isinstance(name, str)
                and _is_sdk_logger(name)
            ):
                redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        package_logger = logging.getLogger("remote_store")
        package_logger.addFilter(SecretRedactionFilter())
        package_logger.addHandler(logging.NullHandler())
        _installed = True


install_default_redaction()
