"""Two ``overwrite=False`` writers race for one key: exactly one wins.

The backend declares EXCLUSIVE_CREATE, so the Store does no check-then-write: the
primary key alone decides (insert-only; the loser's IntegrityError becomes AlreadyExists).
"""

from __future__ import annotations

import threading

import pytest
from remote_store import Capability, Store
from remote_store.errors import AlreadyExists

from .conftest import Factory

ROUNDS = 15


@pytest.mark.slow
@pytest.mark.parametrize("db", ["postgresql", "mariadb", "sqlite"])
def test_two_exclusive_writers_one_wins(db: str, request: pytest.FixtureRequest) -> None:
    factory: Factory = request.getfixturevalue(
        {
            "postgresql": "pg_backend_factory",
            "mariadb": "mariadb_backend_factory",
            "sqlite": "sqlite_backend_factory",
        }[db]
    )
    store = Store(factory())
    assert store.supports(Capability.EXCLUSIVE_CREATE)
    for round_ in range(ROUNDS):
        key = f"race/{round_}"
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def writer(
            name: str,
            key: str = key,
            barrier: threading.Barrier = barrier,
            outcomes: dict[str, str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                store.write(key, name.encode() * 1000)
                outcomes[name] = "won"
            except AlreadyExists:
                outcomes[name] = "lost"
            except Exception as exc:  # reported by the assertion below
                outcomes[name] = f"error {type(exc).__name__}: {exc}"

        threads = [threading.Thread(target=writer, args=(n,)) for n in ("one", "two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == ["lost", "won"], outcomes
        winner = next(name for name, outcome in outcomes.items() if outcome == "won")
        assert store.read_bytes(key) == winner.encode() * 1000
