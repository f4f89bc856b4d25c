"""The retry policy: a small value object with named numbers, testable without sleeping.

The defaults match the official SDK's: 2 retries, 0.5 s x 2^n capped at 8 s with up to 25 %
downward jitter, the server's ``retry-after-ms``/``retry-after`` honoured exactly up to 120 s.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping

import anyio
import attrs

RETRYABLE_STATUSES = frozenset({408, 409, 429})


def _check_retries(_: object, __: object, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"max_retries must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError("max_retries must be >= 0")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When to retry and how long to wait.

    ``sleep`` and ``random`` are injectable so tests can record the waits instead of sleeping.
    """

    max_retries: int = attrs.field(default=2, validator=_check_retries)
    initial_delay: float = 0.5
    max_delay: float = 8.0
    #: The backoff is multiplied by a factor in (1 - jitter, 1].
    jitter: float = 0.25
    #: A server-requested wait longer than this means "do not retry".
    max_retry_after: float = 120.0
    sleep: Callable[[float], Awaitable[None]] = attrs.field(
        default=anyio.sleep, eq=False, repr=False
    )
    random: Callable[[], float] = attrs.field(default=random.random, eq=False, repr=False)
    #: Wall clock used to read ``retry-after`` HTTP dates.
    clock: Callable[[], float] = attrs.field(default=time.time, eq=False, repr=False)

    def backoff(self, retries_taken: int) -> float:
        """The wait before retry number ``retries_taken + 1`` when the server gave no hint."""
        base = min(self.initial_delay * 2.0**retries_taken, self.max_delay)
        return base * (1.0 - self.jitter * self.random())

    def server_delay(self, headers: Mapping[str, str]) -> float | None:
        """Seconds the server asked us to wait (``retry-after-ms`` first), or None."""
        raw_ms = headers.get("retry-after-ms")
        if raw_ms is not None:
            try:
                return _finite(float(raw_ms) / 1000.0)
            except ValueError:
                pass
        raw = headers.get("retry-after")
        if raw is None:
            return None
        try:
            return _finite(float(raw))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        return when.timestamp() - self.clock()

    def delay_after_status(
        self, status: int, headers: Mapping[str, str], retries_taken: int
    ) -> float | None:
        """Seconds to wait before retrying a reply with this status, or None to give up."""
        server = self.server_delay(headers)
        if server is not None and server > self.max_retry_after:
            return None
        should = headers.get("x-should-retry")
        if should == "false":
            return None
        if should != "true" and status not in RETRYABLE_STATUSES and status < 500:
            return None
        if server is not None and server > 0:
            return server
        return self.backoff(retries_taken)


def _finite(value: float) -> float:
    # An overflowing hint ("1e400") reads as "wait forever": treat it as too long to honour.
    return value if math.isfinite(value) else math.inf
