"""The credential scanners of ``remote_store._secret_scan``: what they find, checked
against a character-by-character reference on random text, and how a text with
thousands of fields is judged (as a whole, conservatively)."""

from __future__ import annotations

import random

import pytest
from remote_store._secret import has_url_secrets, redact_url, url_secret_parts
from remote_store._secret_scan import (
    MAX_MATCHES,
    MAX_NAME,
    MAX_SIGNS,
    TooManyMatches,
    field_value_spans,
    is_secret_param,
    mask_fields,
    userinfo_spans,
)

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_VALUE_STOPS = set("&;?#,\"'<>")


def _reference_mask(text: str) -> str:
    """Secret field values masked, found one ``=`` at a time (slow and obvious)."""
    spans = []
    for eq, char in enumerate(text):
        if char != "=":
            continue
        start = eq
        while start > 0 and text[start - 1] in _NAME_CHARS:
            start -= 1
        name = text[start:eq]
        if not 1 <= len(name) <= MAX_NAME or not is_secret_param(name):
            continue
        if start > 0 and not (text[start - 1] in "?&;," or text[start - 1].isspace()):
            continue
        end = eq + 1
        while end < len(text) and text[end] not in _VALUE_STOPS and not text[end].isspace():
            end += 1
        if end > eq + 1:
            spans.append((eq + 1, end))
    out, done = [], 0
    for start, end in spans:
        out += [text[done:start], "***"]
        done = end
    return "".join([*out, text[done:]])


def test_fields_match_the_reference_on_random_text() -> None:
    pieces = ["=", "&", "?", ";", ",", " ", "\u00a0", "#", "'", ":", "/", "@", "a", "Z", "9"]
    pieces += ["sig", "Password", "token", "x_api_key", "pass", "sigma", "-", ".", "=="]
    rng = random.Random(21)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert mask_fields(text) == _reference_mask(text), text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("https://a.blob/c?sv=1&sig=abc%2Bd&se=2", "https://a.blob/c?sv=1&sig=***&se=2"),
        ("AccountName=a;AccountKey=KEY==;Endpoint=x", "AccountName=a;AccountKey=***;Endpoint=x"),
        (
            "postgresql://h/db?sslmode=require&password=pw",
            "postgresql://h/db?sslmode=require&password=***",
        ),
        ("X-Api-Key=v1 and DB_PASSWORD=v2", "X-Api-Key=*** and DB_PASSWORD=***"),
        ("sigma=visible signature=hidden", "sigma=visible signature=***"),
        ("path/password=not-a-field", "path/password=not-a-field"),  # no delimiter before
        ("x" * (MAX_NAME - 8) + "password=v", "x" * (MAX_NAME - 8) + "password=***"),
        ("x" * (MAX_NAME - 7) + "password=v", "x" * (MAX_NAME - 7) + "password=v"),  # too long
    ],
)
def test_secret_fields_are_masked(text: str, masked: str) -> None:
    assert redact_url(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("https://user:pw@host/p", "https://***@host/p"),
        ("https://user:p@ss@host/p", "https://***@host/p"),  # an unencoded '@' in the password
        ("1x://token@host", "1x://***@host"),  # a malformed scheme is no excuse
        ("see https://host/path?mail=a@b.c", "see https://host/path?mail=a@b.c"),
        ("GET http://host:80 from client@10.0.0.1", "GET http://host:80 from client@10.0.0.1"),
    ],
)
def test_url_userinfo_is_masked(text: str, masked: str) -> None:
    assert redact_url(text) == masked


def test_parts_are_the_password_or_the_bare_token() -> None:
    assert url_secret_parts("a://u:pw1@h b://tok@h c=1&token=t2") == ["pw1", "tok", "t2"]


def test_a_text_with_too_many_fields_is_judged_as_a_whole() -> None:
    text = "a=b&" * (MAX_MATCHES + 1)  # no secret field, but too many to look at one by one
    with pytest.raises(TooManyMatches):
        list(field_value_spans(text))
    assert has_url_secrets(text)
    assert url_secret_parts(text) == [text]
    assert redact_url(text) == "a=***&" * (MAX_MATCHES + 1)


def test_too_many_equals_signs_are_not_scanned() -> None:
    with pytest.raises(TooManyMatches):
        list(field_value_spans("=" * (MAX_SIGNS + 1)))
    with pytest.raises(TooManyMatches):
        list(userinfo_spans("://@" * (MAX_SIGNS + 1)))


def test_too_many_urls_with_userinfo_count_as_secret() -> None:
    text = "x://user:pw@h " * (MAX_MATCHES + 1)
    assert has_url_secrets(text)
    assert url_secret_parts(text) == [text]
    assert "pw" not in redact_url(text)
