"""RetryPolicy: one retry and timeout policy honoured by every remote backend."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from remote_store.errors import ConfigError, RemoteStoreError

__all__ = ["RetryPolicy", "call_with_retry"]

R = TypeVar("R")


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
            raise ConfigError(f"max_attempts must be an int, got {self.max_attempts!r}")
        if self.max_attempts < 1:
            raise ConfigError(f"max_attempts must be >= 1, got {self.max_attempts}")
        for field_name in ("backoff_base", "backoff_max", "jitter"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"{field_name} must be a non-negative number, got {value!r}")
        if self.timeout is not None and (
            isinstance(self.timeout, bool)
            or not isinstance(self.timeout, (int, float))
            or self.timeout <= 0
        ):
            raise ConfigError(f"timeout must be a positive number or None, got {self.timeout!r}")

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """One attempt, no retry."""
        return cls(max_attempts=1)

    def delays(self) -> Iterator[float]:
        """The waits between attempts (``max_attempts - 1`` of them)."""
        for attempt in range(1, self.max_attempts):
            base = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
            yield base + random.uniform(0, self.jitter)


def call_with_retry(
    policy: RetryPolicy | None,
    operation: Callable[[], R],
    *,
    is_retryable: Callable[[BaseException], bool] = lambda exc: (
        isinstance(exc, RemoteStoreError) and exc.retryable
    ),
    retry_after: Callable[[BaseException], float | None] = lambda exc: None,
    sleep: Callable[[float], None] = time.sleep,
) -> R:
    """Run ``operation``, retrying it per ``policy`` while the error is retryable.

    Only call this for idempotent operations.
    """
    delays = iter(policy.delays() if policy is not None else ())
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
            sleep(max(delay, floor) if floor is not None else delay)
