"""The fast ListObjectsV2 parser gives the pages botocore would, and steps aside when unsure."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.utils import parse_timestamp
from remote_store_s3 import S3Backend, _list_parser

KEYS = [
    "plain/a.txt",
    "plain/b.txt",
    "odd/with space+plus%percent.txt",
    "odd/ümlaut/ß.bin",
    "odd/&amp<lt>.xml",
    "deep/1/2/3/4.txt",
    "top.txt",
]

PAGE_WITH_OWNER = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<IsTruncated>false</IsTruncated><KeyCount>1</KeyCount>
<Contents><Key>k</Key><LastModified>2026-11-29T17:44:18.000Z</LastModified><ETag>"e"</ETag>
<Size>3</Size><Owner><ID>1</ID></Owner></Contents></ListBucketResult>"""


def _boto3(url: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


def _pages(call: Any, **params: Any) -> list[dict[str, Any]]:
    """Every page of a listing, without the per-request metadata."""
    pages = []
    while True:
        page = call(**params)
        page.pop("ResponseMetadata", None)
        pages.append(page)
        if not page.get("IsTruncated"):
            return pages
        params["ContinuationToken"] = page["NextContinuationToken"]


@pytest.fixture
def seeded(moto: Any, backend: S3Backend, bucket: str) -> Any:
    client = _boto3(moto.url)
    for index, key in enumerate(KEYS):
        extra = {"ChecksumAlgorithm": "SHA256"} if index % 2 else {}
        client.put_object(Bucket=bucket, Key=key, Body=b"x" * index, **extra)
    return client


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"Prefix": "odd/"},
        {"Delimiter": "/"},
        {"Prefix": "odd/", "Delimiter": "/"},
        {"MaxKeys": 2},
        {"FetchOwner": True},
        {"Prefix": "nothing/"},
    ],
    ids=["flat", "prefix", "delimited", "prefix-delimited", "paged", "owner", "empty"],
)
def test_pages_equal_botocore_pages(
    seeded: Any, backend: S3Backend, bucket: str, params: dict[str, Any]
) -> None:
    client = backend._client or backend._connect()

    def ours(**kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = backend._sync(client.list_objects_v2(**kwargs))
        return result

    expected = _pages(seeded.list_objects_v2, Bucket=bucket, **params)
    assert _pages(ours, Bucket=bucket, **params) == expected
    listed = [item["Key"] for page in expected for item in page.get("Contents", ())]
    if not params:
        assert sorted(listed) == sorted(KEYS)


def test_backend_listings_go_through_the_fast_parser(
    seeded: Any, backend: S3Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    original = _list_parser._fields

    def counting(element: Any, known: Any) -> Any:
        parsed.append(element.tag)
        return original(element, known)

    monkeypatch.setattr(_list_parser, "_fields", counting)
    listed = sorted(str(info.path) for info in backend.list_files("", recursive=True))
    assert listed == sorted(KEYS)
    assert len(parsed) == len(KEYS)


def test_entries_move_out_of_the_body_botocore_parses() -> None:
    body = PAGE_WITH_OWNER.replace(b"<Owner><ID>1</ID></Owner>", b"")
    response: dict[str, Any] = {"status_code": 200, "body": body}
    customized: dict[str, Any] = {}
    _list_parser.parse_page(response_dict=response, customized_response_dict=customized)
    assert b"Contents" not in response["body"]
    assert b"<ns0:KeyCount>1</ns0:KeyCount>" in response["body"]
    (item,) = customized["Contents"]
    assert item["Key"] == "k" and item["Size"] == 3 and item["ETag"] == '"e"'
    assert item["LastModified"] == parse_timestamp("2026-11-29T17:44:18.000Z")


@pytest.mark.parametrize(
    "response",
    [
        {"status_code": 200, "body": PAGE_WITH_OWNER},  # an element the parser does not know
        {"status_code": 200, "body": PAGE_WITH_OWNER.replace(b"<Size>3", b"<Size>x3")},
        {"status_code": 200, "body": b"<not xml"},
        {"status_code": 403, "body": PAGE_WITH_OWNER},
    ],
    ids=["unknown-element", "bad-number", "bad-xml", "error-status"],
)
def test_pages_it_does_not_know_are_left_to_botocore(response: dict[str, Any]) -> None:
    body = response["body"]
    customized: dict[str, Any] = {}
    _list_parser.parse_page(response_dict=response, customized_response_dict=customized)
    assert response["body"] is body
    assert customized == {}


@pytest.mark.parametrize(
    "text",
    ["2026-11-29T17:44:18.000Z", "2026-11-29T17:44:18Z", "2026-11-29T19:44:18+02:00"],
)
def test_timestamps_equal_botocore_timestamps(text: str) -> None:
    ours = _list_parser._timestamp(text)
    assert ours == parse_timestamp(text)
    assert ours.utcoffset() == parse_timestamp(text).utcoffset()


def test_s3fs_listings_on_the_hooked_client_stay_right(
    seeded: Any, backend: S3Backend, bucket: str
) -> None:
    import s3fs

    assert len(list(backend.list_files("", recursive=True))) == len(KEYS)  # hook installed
    fs = backend.unwrap(s3fs.S3FileSystem)
    found = fs.find(bucket, detail=True)
    assert sorted(name.partition("/")[2] for name in found) == sorted(KEYS)
    expected = {
        item["Key"]: item["Size"]
        for page in _pages(seeded.list_objects_v2, Bucket=bucket)
        for item in page["Contents"]
    }
    assert {name.partition("/")[2]: info["size"] for name, info in found.items()} == expected
    assert all(info["LastModified"].utcoffset() is not None for info in found.values())
