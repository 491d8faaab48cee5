"""The test servers decide racing conditional PUTs as S3 does: exactly one creator wins.

moto alone checks ``If-None-Match`` and stores the body with no lock held; the shared
``remote_store_conformance.atomic_moto`` helper serialises PutObject, so the suite's race
rules measure the backend, never moto's missing lock.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError
from remote_store_conformance.atomic_moto import make_puts_atomic, server_command


def test_the_patch_is_in_place_once_and_idempotent(moto: Any) -> None:
    from moto.s3.responses import S3Response

    patched = S3Response.put_object
    assert getattr(patched, "_atomic", False)
    make_puts_atomic()
    assert S3Response.put_object is patched  # not wrapped twice


def race(client: Any, bucket: str, key: str, body: bytes, writers: int = 4) -> list[str]:
    """``writers`` create-only PUTs of ``key`` at once: each one's outcome."""
    barrier = threading.Barrier(writers)
    outcomes: list[str] = []

    def put(index: int) -> None:
        barrier.wait()
        try:
            client.put_object(Bucket=bucket, Key=key, Body=body + bytes([index]), IfNoneMatch="*")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
        else:
            outcomes.append("won")

    threads = [threading.Thread(target=put, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_racing_create_only_puts_have_one_winner_per_round(moto: Any, bucket: str) -> None:
    client = moto.client(Config(max_pool_connections=8, retries={"max_attempts": 1}))
    body = b"r" * (2 * 1024 * 1024)  # big enough that moto takes a while to store it
    for round_number in range(4):
        outcomes = race(client, bucket, f"race-{round_number}", body)
        assert outcomes == ["PreconditionFailed"] * 3 + ["won"], outcomes


def test_the_server_command_runs_moto_with_the_patch() -> None:
    command = server_command(5555)
    assert command[1:3] == ["-m", "remote_store_conformance.atomic_moto"]
    assert command[-4:] == ["-H", "127.0.0.1", "-p", "5555"]
