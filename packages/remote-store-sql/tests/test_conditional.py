"""Conditional writes of sql-blob on SQLite, PostgreSQL and MariaDB: ``UPDATE ... WHERE
key = ? AND etag = ?`` decides, so of racing writers holding one etag exactly one wins."""

from __future__ import annotations

import io
import threading

import pytest
import sqlalchemy as sa
from remote_store import Capability, Store
from remote_store.errors import PreconditionFailed

from .conftest import Factory

DIALECTS = ["sqlite", "postgresql", "mariadb"]
_FIXTURES = {
    "postgresql": "pg_backend_factory",
    "mariadb": "mariadb_backend_factory",
    "sqlite": "sqlite_backend_factory",
}
WRITERS = 8
ROUNDS = 6


def _store(db: str, request: pytest.FixtureRequest) -> Store:
    factory: Factory = request.getfixturevalue(_FIXTURES[db])
    store = Store(factory())
    assert store.supports(Capability.CONDITIONAL_WRITE)
    return store


def _race(store: Store, path: str, etag: str) -> list[bytes | str | None]:
    """``WRITERS`` threads write ``path`` under ``if_match=etag`` at once; each outcome is
    the content written, ``None`` when the condition failed, or an error's text."""
    start = threading.Barrier(WRITERS)
    outcomes: list[bytes | str | None] = []

    def write(index: int) -> None:
        content = f"writer {index}".encode() * 100
        start.wait()
        try:
            store.write(path, content, if_match=etag)
            outcomes.append(content)
        except PreconditionFailed:
            outcomes.append(None)
        except Exception as exc:  # reported by the caller's assertion
            outcomes.append(f"error {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("db", DIALECTS)
def test_racing_writers_with_one_etag_have_exactly_one_winner(
    db: str, request: pytest.FixtureRequest
) -> None:
    store = _store(db, request)
    for round_number in range(ROUNDS):
        path = f"race/{round_number}.txt"
        etag = store.write(path, b"base").etag
        assert etag
        outcomes = _race(store, path, etag)
        winners = [o for o in outcomes if isinstance(o, bytes)]
        assert len(outcomes) == WRITERS and outcomes.count(None) == WRITERS - 1, outcomes
        assert len(winners) == 1
        assert store.read_bytes(path) == winners[0]


@pytest.mark.parametrize("db", DIALECTS)
def test_a_streamed_conditional_write_replaces_the_row_whole(
    db: str, request: pytest.FixtureRequest
) -> None:
    store = _store(db, request)
    etag = store.write("s.bin", b"old").etag
    assert etag
    content = bytes(range(256)) * 20_000  # 5 MB: more than one appended piece
    result = store.write("s.bin", io.BytesIO(content), if_match=etag)
    assert result.etag not in (None, etag)
    assert store.get_file_info("s.bin").etag == result.etag
    assert store.read_bytes("s.bin") == content
    with pytest.raises(PreconditionFailed):
        store.write("s.bin", io.BytesIO(b"stale"), if_match=etag)
    assert store.read_bytes("s.bin") == content


def test_every_version_has_its_own_etag_and_a_copy_is_a_new_version(
    sqlite_backend_factory: Factory,
) -> None:
    store = Store(sqlite_backend_factory())
    first = store.write("a.txt", b"same").etag
    second = store.write("a.txt", b"same", overwrite=True).etag
    assert first and second and first != second
    store.copy("a.txt", "b.txt")
    copied = store.get_file_info("b.txt").etag
    assert copied not in (None, second)
    store.move("b.txt", "c.txt")
    assert store.get_file_info("c.txt").etag == copied  # a rename keeps the version
    with pytest.raises(PreconditionFailed):  # another key's etag is no match
        store.write("a.txt", b"x", if_match=copied)
    assert store.read_bytes("a.txt") == b"same"


def test_a_row_without_etag_never_matches(sqlite_backend_factory: Factory) -> None:
    """Rows written before the column existed (NULL etag) refuse every if_match."""
    backend = sqlite_backend_factory()
    store = Store(backend)
    store.write("old.txt", b"old")
    table = backend._table
    with backend.unwrap(sa.Engine).begin() as conn:
        conn.execute(sa.update(table).values(etag=None))
    assert store.get_file_info("old.txt").etag is None
    with pytest.raises(PreconditionFailed):
        store.write("old.txt", b"new", if_match="None")
    store.write("old.txt", b"rewritten", overwrite=True)  # a write gives it an etag
    etag = store.get_file_info("old.txt").etag
    assert etag
    store.write("old.txt", b"then conditional", if_match=etag)
    assert store.read_bytes("old.txt") == b"then conditional"
