"""Data models and the error hierarchy."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime

import pytest
from remote_store import (
    AlreadyExists,
    CapabilityNotSupported,
    ContentDigest,
    FileInfo,
    FolderEntry,
    FolderInfo,
    InvalidPath,
    NotFound,
    PathEntry,
    RemotePath,
    RemoteStoreError,
    ResolutionPlan,
    WriteResult,
)
from remote_store import errors as errors_module
from remote_store.errors import (
    ConfigError,
    InvalidArgument,
    LocalFileExists,
    UnknownStore,
    UnsetVariable,
)

T = datetime(2026, 1, 1, tzinfo=UTC)


def test_content_digest_normalises_and_validates() -> None:
    digest = ContentDigest(" SHA256 ", " ABCDEF01 ")
    assert (digest.algorithm, digest.value) == ("sha256", "abcdef01")
    for algorithm, value in [("", "ab"), ("md5", ""), ("md5", "xyz")]:
        with pytest.raises(InvalidArgument) as info:
            ContentDigest(algorithm, value)
        assert isinstance(info.value, ValueError)


def test_file_info_equality_by_path_only_and_frozen() -> None:
    a = FileInfo(RemotePath("x"), "x", 1, T)
    b = FileInfo(RemotePath("x"), "x", 99, None, etag="e")
    assert a == b and hash(a) == hash(b)
    assert a != FileInfo(RemotePath("y"), "y", 1, T)
    assert a != "x"
    assert (a.metadata, a.digest, a.version_id, a.extra) == (None, None, None, {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.size = 2


def test_folder_entry_and_folder_info() -> None:
    entry = FolderEntry(RemotePath("a/b"), "b")
    assert entry == FolderEntry(RemotePath("a/b"), "other") and hash(entry) == hash(
        RemotePath("a/b")
    )
    assert entry != "a/b"
    info = FolderInfo(RemotePath("a/b"), 2, 10)
    assert info.name == "b" and info.modified_at is None and info.extra == {}
    assert info == FolderInfo(RemotePath("a/b"), 0, 0) and hash(info) == hash(entry)
    assert info != 1
    assert FolderInfo(RemotePath.ROOT, 0, 0).name == ""


def test_path_entry_protocol() -> None:
    assert isinstance(FileInfo(RemotePath("x"), "x", 1, T), PathEntry)
    assert isinstance(FolderEntry(RemotePath("x"), "x"), PathEntry)
    assert not isinstance(object(), PathEntry)


def test_write_result_fieldwise_equality_and_defaults() -> None:
    result = WriteResult(path="a", size=1)
    assert result.source == "basic"
    assert result == WriteResult(path="a", size=1)
    assert result != WriteResult(path="a", size=1, etag="e")


def test_resolution_plan_details_are_read_only() -> None:
    details = {"k": "v"}
    plan = ResolutionPlan("kind", "backend", "key", "native", details)
    details["k"] = "changed"
    assert plan.details["k"] == "v"
    with pytest.raises(TypeError):
        plan.details["k"] = "x"  # type: ignore[index]


def test_error_string_carries_path_and_backend() -> None:
    error = NotFound("gone", path="a/b", backend="memory")
    assert str(error) == "gone | path='a/b' | backend='memory'"
    assert str(RemoteStoreError("plain")) == "plain"
    assert (error.message, error.path, error.backend) == ("gone", "a/b", "memory")
    assert error.retryable is False
    assert errors_module.BackendUnavailable().retryable is True


def test_errors_pickle_with_their_fields() -> None:
    error = CapabilityNotSupported("no", capability="glob", path="p", backend="b")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is CapabilityNotSupported
    assert (copy.message, copy.path, copy.backend, copy.capability) == ("no", "p", "b", "glob")
    assert str(copy) == str(error)


def test_new_errors_stay_catchable_as_027_builtins() -> None:
    assert issubclass(InvalidArgument, ValueError)
    assert issubclass(ConfigError, ValueError)
    assert issubclass(UnknownStore, KeyError) and issubclass(UnsetVariable, KeyError)
    assert issubclass(LocalFileExists, FileExistsError)
    assert issubclass(LocalFileExists, AlreadyExists)
    for cls in (UnknownStore, UnsetVariable, LocalFileExists):
        assert str(cls("msg", path="p")) == "msg | path='p'"  # not KeyError's repr quoting


def test_every_public_error_is_a_remote_store_error() -> None:
    for name in errors_module.__all__:
        assert issubclass(getattr(errors_module, name), RemoteStoreError), name


def test_old_private_errors_module_reexports() -> None:
    from remote_store import _errors

    assert _errors.InvalidPath is InvalidPath
    assert set(_errors.__all__) == set(errors_module.__all__)
