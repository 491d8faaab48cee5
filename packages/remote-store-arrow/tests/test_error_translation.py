"""remote-store's typed errors become the builtin errors pyarrow turns into its statuses."""

from __future__ import annotations

import errno

import pytest
from remote_store.errors import (
    AlreadyExists,
    BackendUnavailable,
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from remote_store_arrow._errors import as_os_error, translated


@pytest.mark.parametrize(
    ("error", "folder", "expected", "code"),
    [
        (NotFound("x"), None, FileNotFoundError, errno.ENOENT),
        (AlreadyExists("x"), None, FileExistsError, errno.EEXIST),
        (PermissionDenied("x"), None, PermissionError, errno.EACCES),
        (DirectoryNotEmpty("x"), None, OSError, errno.ENOTEMPTY),
        (InvalidPath("x"), True, NotADirectoryError, errno.ENOTDIR),
        (InvalidPath("x"), False, IsADirectoryError, errno.EISDIR),
        (InvalidPath("x"), None, OSError, errno.EINVAL),
        (BackendUnavailable("x"), None, ConnectionError, errno.ECONNREFUSED),
        (RemoteStoreError("x"), None, OSError, errno.EIO),
    ],
)
def test_each_typed_error_has_its_builtin_and_errno(
    error: RemoteStoreError, folder: bool | None, expected: type[OSError], code: int
) -> None:
    native = as_os_error(error, "bucket/key", folder=folder)
    assert type(native) is expected
    assert native.errno == code
    assert native.filename == "bucket/key"


def test_an_unsupported_capability_is_not_implemented() -> None:
    native = as_os_error(CapabilityNotSupported("no glob"), "p")
    assert isinstance(native, NotImplementedError)


def test_translated_raises_the_builtin_from_the_typed_error() -> None:
    with pytest.raises(FileNotFoundError) as caught:
        with translated("p/q"):
            raise NotFound("missing", path="p/q")
    assert isinstance(caught.value.__cause__, NotFound)
