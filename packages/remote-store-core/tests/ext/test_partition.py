"""ext.partition: Hive paths are built, escaped, parsed and round-tripped."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from remote_store import InvalidPath, Store
from remote_store.errors import InvalidArgument
from remote_store.ext.partition import ParsedPartition, parse_partition, partition_path


def test_builds_keys_in_argument_order() -> None:
    assert partition_path("part-0.parquet", year=2026, month="01") == (
        "year=2026/month=01/part-0.parquet"
    )


def test_parses_partitions_and_filename() -> None:
    parsed = parse_partition("year=2026/month=01/part-0.parquet")
    assert parsed == ParsedPartition({"year": "2026", "month": "01"}, "part-0.parquet")


def test_parsing_stops_at_first_plain_segment() -> None:
    parsed = parse_partition("region=eu/raw/day=1/file.csv")
    assert dict(parsed.partitions) == {"region": "eu"}
    assert parsed.filename == "raw/day=1/file.csv"


@pytest.mark.parametrize(
    ("value", "segment"),
    [("a/b", "k=a%2Fb"), ("x=y", "k=x%3Dy"), ("50%", "k=50%25"), ("c:\\d", "k=c:%5Cd")],
)
def test_separators_in_values_are_escaped(value: str, segment: str) -> None:
    path = partition_path("f.csv", k=value)
    assert path == f"{segment}/f.csv"
    assert parse_partition(path).partitions == {"k": value}


def test_escaped_keys_round_trip() -> None:
    path = partition_path("f", **{"a=b/c": "v"})
    assert path.count("/") == 1
    assert dict(parse_partition(path).partitions) == {"a=b/c": "v"}


@pytest.mark.parametrize(
    "call",
    [
        lambda: partition_path("", k="v"),
        lambda: partition_path("f", k=""),
        lambda: partition_path("f", **{"": "v"}),
        lambda: parse_partition(42),  # type: ignore[arg-type]
    ],
)
def test_bad_input_is_refused(call: object) -> None:
    with pytest.raises(InvalidArgument) as info:
        call()  # type: ignore[operator]
    assert isinstance(info.value, ValueError)


_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    partitions=st.dictionaries(_text, _text, max_size=4),
    filename=st.from_regex(r"[A-Za-z0-9_.-]{1,10}", fullmatch=True).filter(
        lambda name: name not in (".", "..") and "=" not in name
    ),
)
def test_any_strings_round_trip(partitions: dict[str, str], filename: str) -> None:
    path = partition_path(filename, **partitions)
    parsed = parse_partition(path)
    assert dict(parsed.partitions) == partitions
    assert parsed.filename == filename
    assert path.count("/") == len(partitions)


def test_round_trip_through_a_store(store: Store) -> None:
    values = {"source": "s3://bucket/x", "ratio": "10%", "eq": "a=b", "dots": ".."}
    path = partition_path("data.csv", **values)
    store.write(path, b"1")
    [info] = list(store.list_files("", recursive=True))
    assert parse_partition(info.path) == ParsedPartition(values, "data.csv")


def test_unescaped_dotdot_value_would_be_refused_by_the_store(store: Store) -> None:
    # why escaping matters: a raw "/" would create folders, and a raw "/../" escapes
    with pytest.raises(InvalidPath):
        store.write("k=a/../b/f.csv", b"1")
    store.write(partition_path("f.csv", k="a/../b"), b"1")
    assert store.read_bytes("k=a%2F..%2Fb/f.csv") == b"1"
