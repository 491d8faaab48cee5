"""Secret values that never show in a repr, a log line, an exception or a pickle."""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = ["Secret", "SecretRedactionFilter", "redact_text", "reveal"]

_MASK = "***"
_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


class Secret:
    """An immutable wrapper of a secret string; ``reveal()`` returns the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"Secret wraps a str, not {type(value).__name__}")
        object.__setattr__(self, "_value", value)

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

    def __reduce__(self) -> tuple[Any, ...]:
        # A pickle must not carry the value in clear: it pickles as a masked Secret.
        return (Secret, (_MASK,))


def reveal(value: str | Secret | None) -> str | None:
    """The plain value of an option that may be a :class:`Secret`."""
    if isinstance(value, Secret):
        return value.reveal()
    return value


def redact_text(text: str) -> str:
    """Mask the userinfo of URLs (``scheme://user:pass@host`` -> ``scheme://***@host``)."""
    return _URL_USERINFO.sub(lambda m: f"{m.group('scheme')}{_MASK}@", text)


class SecretRedactionFilter(logging.Filter):
    """A logging filter that masks :class:`Secret` arguments and URL credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {k: _mask_arg(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_mask_arg(a) for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


def _mask_arg(value: object) -> object:
    if isinstance(value, Secret):
        return _MASK
    if isinstance(value, str):
        return redact_text(value)
    return value
