"""RetryPolicy: one retry and timeout policy honoured by every remote backend."""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from remote_store.errors import ConfigError, RemoteStoreError

__all__ = ["RetryPolicy", "acall_with_retry", "call_with_retry"]

R = TypeVar("R")

_log = logging.getLogger("remote_store.retry")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a backend retries idempotent operations.

    ``max_attempts`` counts the first try; the wait before attempt ``n+1`` is
    ``min(backoff_max, backoff_base * 2**(n-1))`` plus up to ``jitter`` seconds, and
    never less than a server's ``Retry-After``. ``timeout`` bounds each request.
    """

    max_attempts: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    jitter: float = 1.0
    timeout: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise ConfigError(f"max_attempts must be an int, got {_shown(self.max_attempts)}")
        if not 1 <= self.max_attempts < 2**63:
            raise ConfigError(
                f"max_attempts must be >= 1 (and fit 64 bits), got {_shown(self.max_attempts)}"
            )
        for field_name in ("backoff_base", "backoff_max", "jitter"):
            value = getattr(self, field_name)
            if not _is_finite_number(value) or value < 0:
                raise ConfigError(
                    f"{field_name} must be a finite non-negative number, got {_shown(value)}"
                )
        if self.timeout is not None and (not _is_finite_number(self.timeout) or self.timeout <= 0):
            raise ConfigError(
                f"timeout must be a finite positive number or None, got {_shown(self.timeout)}"
            )

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """One attempt, no retry."""
        return cls(max_attempts=1)

    def delays(self) -> Iterator[float]:
        """The waits between attempts (``max_attempts - 1`` of them)."""
        for attempt in range(1, self.max_attempts):
            # the exponent is capped: 2**1024 would overflow a float on a long policy
            base = min(self.backoff_max, self.backoff_base * 2.0 ** min(attempt - 1, 64))
            yield base + random.uniform(0, self.jitter)


def _is_finite_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (isinstance(value, int) or math.isfinite(value))
        and abs(value) < 2**63
    )


def _shown(value: object) -> str:
    """A short description of a bad value (a long string is not echoed)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return "an integer of more than 40 digits"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = repr(value)
        return text if len(text) <= 40 else text[:40] + "..."
    return f"a {type(value).__name__}"


def call_with_retry(
    policy: RetryPolicy | None,
    operation: Callable[[], R],
    *,
    is_retryable: Callable[[BaseException], bool] = lambda exc: (
        isinstance(exc, RemoteStoreError) and exc.retryable
    ),
    retry_after: Callable[[BaseException], float | None] = lambda exc: None,
    sleep: Callable[[float], None] = time.sleep,
    backend: str = "",
    name: str = "",
    path: str | None = None,
) -> R:
    """Run ``operation``, retrying it per ``policy`` while the error is retryable.

    Only call this for idempotent operations. Each retry is logged at INFO on the
    ``remote_store.retry`` logger (``backend``, the operation ``name``, ``path``, attempt,
    wait and the cause's type, never its arguments) and fired to plugins as a
    ``StoreEvent`` with operation ``"retry"`` (remote-store-otel records it).
    """
    delays = iter(policy.delays() if policy is not None else ())
    total = policy.max_attempts if policy is not None else 1
    attempt = 1
    while True:
        try:
            return operation()
        except Exception as exc:
            if not is_retryable(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise
            floor = retry_after(exc)
            wait = max(delay, floor) if floor is not None else delay
            attempt += 1
            _announce_retry(backend, name, path, attempt, total, wait, exc)
            sleep(wait)


async def acall_with_retry(
    policy: RetryPolicy | None,
    operation: Callable[[], Awaitable[R]],
    *,
    is_retryable: Callable[[BaseException], bool] = lambda exc: (
        isinstance(exc, RemoteStoreError) and exc.retryable
    ),
    retry_after: Callable[[BaseException], float | None] = lambda exc: None,
    backend: str = "",
    name: str = "",
    path: str | None = None,
) -> R:
    """:func:`call_with_retry` for async backends: ``operation()`` is awaited, the waits
    are ``asyncio.sleep`` (the loop keeps serving other tasks); same logs and events."""
    import asyncio

    delays = iter(policy.delays() if policy is not None else ())
    total = policy.max_attempts if policy is not None else 1
    attempt = 1
    while True:
        try:
            return await operation()
        except Exception as exc:
            if not is_retryable(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise
            floor = retry_after(exc)
            wait = max(delay, floor) if floor is not None else delay
            attempt += 1
            _announce_retry(backend, name, path, attempt, total, wait, exc)
            await asyncio.sleep(wait)


def _announce_retry(
    backend: str,
    name: str,
    path: str | None,
    attempt: int,
    total: int,
    wait: float,
    cause: BaseException,
) -> None:
    """Log one retry and fire it as a ``retry`` event; neither may break the operation."""
    cause_name = type(cause).__name__
    _log.info(
        "retrying %s on %s (path %r): attempt %d of %d in %.2f s after %s",
        name or "operation",
        backend or "backend",
        path,
        attempt,
        total,
        wait,
        cause_name,
        extra={
            "backend": backend,
            "operation": name,
            "path": path,
            "attempt": attempt,
            "max_attempts": total,
            "wait_s": wait,
            "cause": cause_name,
        },
    )
    try:
        from datetime import UTC, datetime

        from remote_store._events import StoreEvent, get_correlation_id, notify_plugins

        event = StoreEvent(
            operation="retry",
            path=path or "",
            backend=backend,
            started_at=datetime.now(UTC),
            duration_ms=0.0,
            error=cause,
            metadata={
                "operation": name,
                "attempt": attempt,
                "max_attempts": total,
                "wait_s": wait,
                "cause": cause_name,
            },
            correlation_id=get_correlation_id(),
        )
        notify_plugins(event)
    except Exception:  # pragma: no cover - notify_plugins already logs plugin failures
        _log.debug("retry event not delivered", exc_info=True)
