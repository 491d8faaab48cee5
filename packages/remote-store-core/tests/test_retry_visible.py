"""Retries are visible: one INFO record and one ``retry`` plugin event per retry, no secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from remote_store._plugins import get_plugin_manager
from remote_store._retry import RetryPolicy, call_with_retry
from remote_store.errors import BackendUnavailable, NotFound
from remote_store.hookspecs import hookimpl

POLICY = RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_max=1.0, jitter=0.0)
SECRET = "sk-very-secret-token"


class Recorder:
    """A plugin object collecting the events fired to ``remote_store_store_event``."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    @hookimpl
    def remote_store_store_event(self, event: Any) -> None:
        self.events.append(event)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    manager = get_plugin_manager()
    plugin = Recorder()
    manager.register(plugin)
    try:
        yield plugin
    finally:
        manager.unregister(plugin)


def flaky(failures: int) -> Any:
    calls = 0

    def operation() -> str:
        nonlocal calls
        calls += 1
        if calls <= failures:
            raise BackendUnavailable(f"503 from server (token={SECRET})", path="p/x")
        return "done"

    return operation


def test_each_retry_logs_at_info_and_fires_an_event(
    caplog: pytest.LogCaptureFixture, recorder: Recorder
) -> None:
    waits: list[float] = []
    with caplog.at_level(logging.INFO, logger="remote_store.retry"):
        result = call_with_retry(
            POLICY, flaky(2), sleep=waits.append, backend="s3", name="head_object", path="p/x"
        )
    assert result == "done" and waits == [0.5, 1.0]
    records = [r for r in caplog.records if r.name == "remote_store.retry"]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    assert [r.attempt for r in records] == [2, 3]  # type: ignore[attr-defined]
    first = records[0].getMessage()
    assert "head_object" in first and "s3" in first and "BackendUnavailable" in first
    assert "0.50 s" in first and "attempt 2 of 3" in first
    assert all(SECRET not in r.getMessage() for r in records)
    events = [e for e in recorder.events if e.operation == "retry"]
    assert [e.metadata["attempt"] for e in events] == [2, 3]
    assert events[0].backend == "s3" and events[0].path == "p/x"
    assert events[0].metadata["operation"] == "head_object"
    assert events[0].metadata["cause"] == "BackendUnavailable"


def test_no_record_without_a_retry(caplog: pytest.LogCaptureFixture, recorder: Recorder) -> None:
    with caplog.at_level(logging.DEBUG, logger="remote_store.retry"):
        assert call_with_retry(POLICY, flaky(0), sleep=lambda s: None) == "done"
        with pytest.raises(NotFound):
            call_with_retry(POLICY, _raise(NotFound("gone")), sleep=lambda s: None)
    assert not [r for r in caplog.records if r.name == "remote_store.retry"]
    assert not [e for e in recorder.events if e.operation == "retry"]


def test_exhausted_retries_raise_the_last_error(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="remote_store.retry"):
        with pytest.raises(BackendUnavailable):
            call_with_retry(POLICY, flaky(5), sleep=lambda s: None, backend="http")
    assert len([r for r in caplog.records if r.name == "remote_store.retry"]) == 2


def _raise(error: Exception) -> Any:
    def operation() -> None:
        raise error

    return operation


def test_async_retry_awaits_sleeps_on_the_loop_and_logs_alike(
    caplog: pytest.LogCaptureFixture, recorder: Recorder
) -> None:
    import asyncio

    from remote_store.aio.backend import acall_with_retry

    fast = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.02, jitter=0.0)
    sync_operation = flaky(2)
    ticks: list[int] = []

    async def operation() -> str:
        return str(sync_operation())

    async def ticker() -> None:  # runs only if the retry waits yield to the loop
        while True:
            ticks.append(1)
            await asyncio.sleep(0.001)

    async def main() -> str:
        task = asyncio.create_task(ticker())
        try:
            return await acall_with_retry(fast, operation, backend="s3", name="get_object")
        finally:
            task.cancel()

    with caplog.at_level(logging.INFO, logger="remote_store.retry"):
        assert asyncio.run(main()) == "done"
    assert len(ticks) >= 2
    records = [r for r in caplog.records if r.name == "remote_store.retry"]
    assert [r.attempt for r in records] == [2, 3]  # type: ignore[attr-defined]
    assert [e.metadata["attempt"] for e in recorder.events if e.operation == "retry"] == [2, 3]

    async def missing() -> str:
        raise NotFound("gone")

    with pytest.raises(NotFound):
        asyncio.run(acall_with_retry(fast, missing))
