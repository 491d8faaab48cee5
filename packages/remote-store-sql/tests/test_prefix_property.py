"""Property: listing and recursive delete of a prefix never touch a key outside it.

Keys mix the characters that broke 0.27's ``LIKE 'prefix/%'`` queries (``%``, ``_``,
``\\``), case variants (MariaDB's default collation folds case, SQLite's LIKE folds
ASCII case), trailing spaces (MariaDB's PAD SPACE collations) and non-ASCII letters.
The backend is called directly so that ``\\`` reaches it (the Store turns it into ``/``).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from remote_store.errors import InvalidPath
from remote_store_sql import SQLBlobBackend

from .conftest import Factory

_ALPHABET = "aA_%\\ xXé É ßẞİi0"
segments = st.text(alphabet=_ALPHABET, min_size=1, max_size=3)
keys_strategy = st.lists(
    st.lists(segments, min_size=1, max_size=3).map("/".join), min_size=1, max_size=12, unique=True
)


def _clear(backend: SQLBlobBackend) -> None:
    table = sa.Table(backend._table_name, sa.MetaData())
    with backend.unwrap(sa.Engine).begin() as conn:
        conn.execute(table.delete())


def _is_valid(keys: list[str]) -> bool:
    """No key is also an ancestor folder of another key (the backend refuses that write)."""
    names = set(keys)
    for key in keys:
        parts = key.split("/")
        if any("/".join(parts[:i]) in names for i in range(1, len(parts))):
            return False
    return True


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(keys=keys_strategy, data=st.data())
def test_prefix_operations_stay_inside_the_prefix(
    backend_factory: Factory, keys: list[str], data: st.DataObject
) -> None:
    assume(_is_valid(keys))
    backend = _backend(backend_factory)
    _clear(backend)
    for key in keys:
        backend.write(key, key.encode("utf-8"))
    candidates = sorted({k.rpartition("/")[0] for k in keys if "/" in k} | {"a", "A", "a_", "a%"})
    prefix = data.draw(st.sampled_from(candidates))
    inside = sorted(k for k in keys if k.startswith(prefix + "/"))

    listed = [str(info.path) for info in backend.list_files(prefix, recursive=True)]
    assert listed == inside
    folders = [str(f.path) for f in backend.list_folders(prefix)]
    depth = prefix.count("/") + 1
    expected_folders = sorted(
        {"/".join(k.split("/")[: depth + 1]) for k in inside if k.count("/") > depth}
    )
    assert folders == expected_folders
    assert backend.is_folder(prefix) == bool(inside)
    assert [str(i.path) for i in backend.list_files("", recursive=True)] == sorted(keys)

    if prefix in keys:  # a file, not a folder: refused, nothing deleted
        with pytest.raises(InvalidPath):
            backend.delete_folder(prefix, recursive=True, missing_ok=True)
    else:
        backend.delete_folder(prefix, recursive=True, missing_ok=True)
    remaining = [str(info.path) for info in backend.list_files("", recursive=True)]
    assert remaining == sorted(k for k in keys if not k.startswith(prefix + "/"))
    for key in remaining:
        assert backend.read_bytes(key) == key.encode("utf-8")


_CURRENT: list[tuple[Factory, SQLBlobBackend]] = []


def _backend(factory: Factory) -> SQLBlobBackend:
    """One table per test (not per example): creating tables is the slow part."""
    if not _CURRENT or _CURRENT[0][0] is not factory:
        _CURRENT[:] = [(factory, factory())]
    return _CURRENT[0][1]
