"""Two writers race over HTTP for one key with overwrite=False: exactly one wins, every
round, because the service checks ``ifGenerationMatch=0`` (no existence check first)."""

from __future__ import annotations

import threading
from typing import Any

from remote_store import Store
from remote_store.errors import AlreadyExists


def test_exactly_one_create_only_writer_wins_in_each_of_15_rounds(
    emulator: Any, bucket: str
) -> None:
    stores = [Store(emulator.backend(bucket)) for _ in range(2)]  # two clients, two pools
    rounds = 15
    winners_per_round = []
    try:
        for round_ in range(rounds):
            key = f"race/{round_}"
            barrier = threading.Barrier(2)
            outcomes: list[str] = []

            def writer(
                n: int,
                key: str = key,
                barrier: threading.Barrier = barrier,
                outcomes: list[str] = outcomes,
            ) -> None:
                barrier.wait()
                try:
                    stores[n].write(key, f"writer {n}".encode())
                    outcomes.append(f"won {n}")
                except AlreadyExists:
                    outcomes.append("refused")

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            winners = [o for o in outcomes if o.startswith("won")]
            winners_per_round.append(len(winners))
            assert outcomes.count("refused") == 1, outcomes
            winner = winners[0].split()[1]
            assert stores[0].read_bytes(key) == f"writer {winner}".encode()
    finally:
        for store in stores:
            store.close()
    assert winners_per_round == [1] * rounds


def test_stream_writers_race_too(emulator: Any, bucket: str) -> None:
    """Small streams take the same one-request path, so the service decides as well."""
    import io

    stores = [Store(emulator.backend(bucket)) for _ in range(2)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def writer(n: int) -> None:
        barrier.wait()
        try:
            stores[n].write("stream-race", io.BytesIO(b"s%d" % n))
            outcomes.append("won")
        except AlreadyExists:
            outcomes.append("refused")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert sorted(outcomes) == ["refused", "won"]
