"""How many requests the tap has in flight, for the whole tap, ever.

NetSuite's concurrency pool is per account and shared with the customer's other
integrations, and a full pool answers 429 at once. The limiter never lets more
than `maximum` requests out; on a 429 it halves its own limit for a cool-down,
then climbs back one slot at a time while answers keep succeeding (additive
increase, multiplicative decrease), so a pool shared with others is not hammered.
"""

from __future__ import annotations

import contextlib
import threading
import time
import typing as t


class AdaptiveLimiter:
    """A semaphore whose size backs off on 429 and recovers on success."""

    def __init__(self, maximum: int, *, cooldown: float = 30.0, clock: t.Callable[[], float] = time.monotonic) -> None:
        if maximum < 1:
            msg = f"max_concurrency must be at least 1, not {maximum}."
            raise ValueError(msg)
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self.peak = 0
        self._cooldown = cooldown
        self._clock = clock
        self._calm_from = 0.0
        self._successes = 0
        self._cond = threading.Condition()

    @contextlib.contextmanager
    def slot(self) -> t.Iterator[None]:
        """Hold one of the limit's slots for the duration of one request."""
        with self._cond:
            while self.in_flight >= self.limit:
                self._cond.wait()
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            yield
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()

    def throttled(self) -> None:
        """NetSuite said the pool is full: halve the limit and stay down for a while."""
        with self._cond:
            self.limit = max(1, self.limit // 2)
            self._calm_from = self._clock() + self._cooldown
            self._successes = 0

    def succeeded(self) -> None:
        """One answer came back fine: after the cool-down, earn back a slot per `limit` successes."""
        with self._cond:
            if self.limit >= self.maximum or self._clock() < self._calm_from:
                return
            self._successes += 1
            if self._successes >= self.limit:
                self.limit += 1
                self._successes = 0
                self._cond.notify_all()
