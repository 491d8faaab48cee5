"""Scanners for credentials written inside text: URL userinfo (``scheme://user:pass@``) and
secret ``name=value`` fields (``?sig=...``, ``;AccountKey=...``, ``password=...``).

Both scans start only where a literal occurs (``://`` for userinfo, ``=`` for a field),
so the regular-expression engine skips the rest of a text at the speed of a
``str.find``: a 20 MB option value scans in milliseconds whatever its shape (a pattern
that starts with a look-behind is tried at every position, about a microsecond each).

A field's name comes *before* its ``=``: the field scan runs over the reversed text,
where the name follows the ``=``, and reads the value forward in the original text.

The Python work per text is bounded by :data:`MAX_MATCHES`. Past it the text is judged as
a whole (:class:`TooManyMatches`): every ``=value`` and every userinfo is masked and the
text counts as secret. No URL or connection string holds thousands of fields; a text
that does is treated conservatively, never scanned in quadratic or unbounded time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "MAX_MATCHES",
    "MAX_SIGNS",
    "SECRET_PARAM_NAMES",
    "SECRET_PARAM_PATTERNS",
    "TooManyMatches",
    "field_value_spans",
    "is_secret_param",
    "mask_fields",
    "mask_userinfo",
    "userinfo_spans",
]

#: Query-parameter / field names (lower case) whose value is a credential.
SECRET_PARAM_NAMES: frozenset[str] = frozenset({"sig", "pwd", "pass", "sas", "authorization"})
#: Substrings of a parameter name (lower case) that make its value a credential.
SECRET_PARAM_PATTERNS: tuple[str, ...] = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "signature",
    "credential",
    "apikey",
    "api_key",
    "api-key",
    "accountkey",
    "access_key",
    "accesskey",
    "private",
)
#: The most matches one text is scanned for, one by one; past it, the whole text counts.
MAX_MATCHES = 10_000
#: More ``=`` (or ``://``) signs than this in one text: judged as a whole, not scanned.
MAX_SIGNS = 4 * MAX_MATCHES
#: The longest field name looked at (longer runs of name characters are not names).
MAX_NAME = 128
#: Texts up to this length are first checked for a name hint (cheap for log lines).
_HINT_PREFILTER_MAX = 4096

_MASK = "***"
_HINTS = tuple(SECRET_PARAM_NAMES) + SECRET_PARAM_PATTERNS

# ``scheme://userinfo@``: the userinfo runs to the last ``@`` before a ``/`` or a space.
# Each attempt starts at a ``://`` and stops at the next ``/``, so the scan is linear.
_USERINFO = re.compile(r"://([^/\s]+)@")
# On the reversed text: ``=`` followed by a (reversed) name of name characters that ends
# at a field delimiter (``?&;,`` or a space) or at the text's start.
_REVERSED_FIELD = re.compile(rf"=([A-Za-z0-9_.\-]{{1,{MAX_NAME}}}+)(?![^?&;,\s])")
# A field value, read forward from just after its ``=``.
_VALUE = re.compile(r"[^&;?#,\s\"'<>]+")
# The conservative mask for a text with too many fields: every ``=value``.
_ANY_VALUE = re.compile(r"=[^&;?#,\s\"'<>]+")


class TooManyMatches(Exception):
    """A text holds more than :data:`MAX_MATCHES` URLs or fields: judge it as a whole."""


def is_secret_param(name: str) -> bool:
    """Whether a query parameter / field called ``name`` holds a credential."""
    lowered = name.lower()
    return lowered in SECRET_PARAM_NAMES or any(p in lowered for p in SECRET_PARAM_PATTERNS)


def userinfo_spans(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the userinfo of every URL in ``text``, in order.

    Raises :class:`TooManyMatches` past :data:`MAX_MATCHES` URLs with userinfo (or
    :data:`MAX_SIGNS` ``://``).
    """
    if "://" not in text or "@" not in text:
        return
    if text.count("://") > MAX_SIGNS:
        raise TooManyMatches
    for count, match in enumerate(_USERINFO.finditer(text)):
        if count >= MAX_MATCHES:
            raise TooManyMatches
        yield match.span(1)


def field_value_spans(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the value of every secret ``name=value`` field in ``text``,
    from the last to the first. A field starts the text or follows ``?&;,`` or a space.

    Raises :class:`TooManyMatches` past :data:`MAX_MATCHES` fields, secret or not (or
    :data:`MAX_SIGNS` ``=``).
    """
    if "=" not in text:
        return
    if text.count("=") > MAX_SIGNS:
        raise TooManyMatches
    if len(text) <= _HINT_PREFILTER_MAX:
        lowered = text.lower()
        if not any(hint in lowered for hint in _HINTS):
            return
    last = len(text) - 1
    for count, match in enumerate(_REVERSED_FIELD.finditer(text[::-1])):
        if count >= MAX_MATCHES:
            raise TooManyMatches
        if is_secret_param(match.group(1)[::-1]):
            value = _VALUE.match(text, last - match.start() + 1)
            if value is not None:
                yield value.span()


def mask_userinfo(text: str) -> str:
    """``text`` with the userinfo of every URL masked (``scheme://***@host``)."""
    if "://" not in text or "@" not in text:
        return text
    return _USERINFO.sub(f"://{_MASK}@", text)


def mask_fields(text: str) -> str:
    """``text`` with the value of every secret field masked (``sig=***``); a text with
    too many fields gets every ``=value`` masked."""
    try:
        spans = sorted(field_value_spans(text))
    except TooManyMatches:
        return _ANY_VALUE.sub(f"={_MASK}", text)
    if not spans:
        return text
    pieces = []
    done = 0
    for start, end in spans:
        pieces.append(text[done:start])
        pieces.append(_MASK)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)
