"""The models behave as the frozen dataclasses of 0.27 although they are slots classes."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from remote_store import (
    ContentDigest,
    FileInfo,
    FolderEntry,
    FolderInfo,
    RemotePath,
    ResolutionPlan,
    WriteResult,
)

T = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _values(model: Any) -> tuple[Any, ...]:
    return tuple(getattr(model, f.name) for f in dataclasses.fields(model))


def _models() -> list[Any]:
    return [
        FileInfo(
            RemotePath("a/b.txt"),
            "b.txt",
            3,
            T,
            ContentDigest("sha256", "ab"),
            "etag",
            "text/plain",
            {"k": "v"},
            {"x": 1},
            "v1",
        ),
        FolderEntry(RemotePath("a"), "a"),
        FolderInfo(RemotePath("a"), 2, 10, T),
        WriteResult("a/b.txt", 3, "native", None, "e", "v2", T, {"m": "n"}),
        ResolutionPlan("local", "local", "a", "/tmp/a", {"root": "/tmp"}),
        ContentDigest("md5", "AB"),
    ]


@pytest.mark.parametrize("model", _models(), ids=lambda m: type(m).__name__)
def test_assignment_and_deletion_raise_frozen_instance_error(model: Any) -> None:
    first = dataclasses.fields(model)[0].name
    before = repr(model)
    actions: tuple[Callable[[], None], ...] = (
        lambda: setattr(model, first, 1),
        lambda: delattr(model, first),
        lambda: setattr(model, "not_a_field", 1),
    )
    for action in actions:
        with pytest.raises(dataclasses.FrozenInstanceError):
            action()
    assert repr(model) == before


@pytest.mark.parametrize("model", _models(), ids=lambda m: type(m).__name__)
def test_dataclass_functions_accept_the_models(model: Any) -> None:
    cls = type(model)
    # (not narrowed: both stay Any, as the dataclass functions see them at run time)
    assert all(dataclasses.is_dataclass(each) for each in (model, cls))
    names = [f.name for f in dataclasses.fields(cls)]
    assert names == list(cls.__match_args__)
    assert all(hasattr(model, name) for name in names)
    assert len(_values(model)) == len(names)
    assert cls.__dataclass_params__.frozen is True
    changed = dataclasses.replace(model)
    assert type(changed) is cls and changed == model and changed is not model
    assert repr(changed) == repr(model)


def test_replace_and_asdict_keep_values() -> None:
    info = _models()[0]
    bigger = dataclasses.replace(info, size=99)
    assert (bigger.size, bigger.etag, bigger.extra, bigger.version_id) == (
        99,
        "etag",
        {"x": 1},
        "v1",
    )
    assert info.size == 3
    as_dict = dataclasses.asdict(info)
    assert as_dict["digest"] == {"algorithm": "sha256", "value": "ab"}
    assert as_dict["path"] == RemotePath("a/b.txt") and as_dict["size"] == 3
    required = [f.name for f in dataclasses.fields(FileInfo) if f.default is dataclasses.MISSING]
    assert required == ["path", "name", "size", "modified_at", "extra"]
    (extra,) = [f for f in dataclasses.fields(FileInfo) if f.name == "extra"]
    assert extra.default_factory is dict


@pytest.mark.parametrize("model", _models(), ids=lambda m: type(m).__name__)
def test_pickle_and_copy_round_trip(model: Any) -> None:
    for clone in (
        pickle.loads(pickle.dumps(model)),
        copy.copy(model),
        copy.deepcopy(model),
    ):
        assert type(clone) is type(model)
        assert repr(clone) == repr(model)
        assert _values(clone) == _values(model) or isinstance(model, ResolutionPlan)
        assert dict(getattr(clone, "details", {})) == dict(getattr(model, "details", {}))


def test_repr_is_the_dataclass_repr() -> None:
    assert repr(WriteResult("a", 1)) == (
        "WriteResult(path='a', size=1, source='basic', digest=None, etag=None, "
        "version_id=None, last_modified=None, metadata=None)"
    )
    assert repr(FolderEntry(RemotePath("x/y"), "y")) == (
        "FolderEntry(path=RemotePath('x/y'), name='y')"
    )


def test_equality_and_hashing_rules() -> None:
    result = WriteResult("a", 1, metadata={"k": "v"})
    assert result == WriteResult("a", 1, metadata={"k": "v"})
    assert result != WriteResult("a", 1, metadata={"k": "w"})
    assert result != ("a", 1)
    with pytest.raises(TypeError):
        hash(result)  # a dict field: unhashable, as the frozen dataclass was
    assert hash(WriteResult("a", 1)) == hash(WriteResult("a", 1))
    assert ContentDigest("md5", "ab") == ContentDigest("MD5", "AB")
    assert len({ContentDigest("md5", "ab"), ContentDigest("md5", "AB")}) == 1
    first = FileInfo(RemotePath("p"), "p", 1, None)
    assert first.extra == {} and first.extra is not FileInfo(RemotePath("p"), "p", 1, None).extra


def test_match_statement_binds_fields_positionally() -> None:
    match WriteResult("k", 7, "native"):
        case WriteResult(path, size, source):
            assert (path, size, source) == ("k", 7, "native")
        case _:
            pytest.fail("no match")


def test_subclasses_with_a_dict_still_build_and_freeze() -> None:
    class Tagged(WriteResult):
        pass

    tagged = Tagged("a", 1, "basic")
    assert isinstance(tagged, WriteResult) and type(tagged) is Tagged
    assert (tagged.path, tagged.size) == ("a", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tagged.size = 2
    assert tagged != WriteResult("a", 1, "basic")  # different classes, as dataclass eq


def test_resolution_plan_details_stay_read_only_and_pickle() -> None:
    plan = ResolutionPlan("k", "b", "key", "native", {"a": 1})
    copy_ = pickle.loads(pickle.dumps(plan))
    assert dict(copy_.details) == {"a": 1}
    with pytest.raises(TypeError):
        copy_.details["a"] = 2


def test_content_digest_still_validates_through_replace() -> None:
    digest = ContentDigest("sha256", "ab")
    with pytest.raises(ValueError):
        dataclasses.replace(digest, value="not hex")
