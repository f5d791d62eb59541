"""How many requests the tap has in flight, for the whole tap, ever.

NetSuite's concurrency pool is per account and shared with the customer's other
integrations, and a full pool answers 429 at once. The limiter never lets more
than `maximum` requests out; on a 429 it halves its own limit for a cool-down,
then climbs back one slot at a time while answers keep succeeding (additive
increase, multiplicative decrease), so a pool shared with others is not hammered.

Two refinements keep a too-high `max_concurrency` cheap. The 429s of one overflow (all the
requests sent together, refused together) halve the limit once, not once each: within
`settle` seconds of a decrease, further 429s change nothing. And a 429 met while probing one
slot above a limit that was fine goes back to that limit rather than halving it: with a pool
of 2, the limit probes 3 once per cool-down and returns to 2, instead of falling to 1.

Slots are given in the order they were asked for. Windows ask in key order, and
records leave in key order, so the window the records wait for is never passed
over by later ones while the read-ahead (bounded) fills with windows nobody waits for.
One exception: a request made under `URGENT` (the scheduler's reads of everything: whole
tables, streams without a bookmark, and their window threads) is served before those that
are not. In a nightly run that finds little new, those are the reads of several pages, each a
chain (first page, plan, windows) that would otherwise queue behind every small request that
asked before it; among urgent requests, and among the rest, the order stays first come.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import threading
import time
import typing as t

# Set (to True) in a thread whose requests go before the others' (see the module doc); a window
# thread begun by `parallel.in_order` runs in a copy of its reader's context, so inherits it.
URGENT: contextvars.ContextVar[bool] = contextvars.ContextVar("tap_netsuite_urgent", default=False)


class AdaptiveLimiter:
    """A first-come, first-served semaphore whose size backs off on 429 and recovers on success."""

    def __init__(
        self,
        maximum: int,
        *,
        cooldown: float = 30.0,
        settle: float = 1.0,
        clock: t.Callable[[], float] = time.monotonic,
    ) -> None:
        if maximum < 1:
            msg = f"max_concurrency must be at least 1, not {maximum}."
            raise ValueError(msg)
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self.peak = 0
        self._cooldown = cooldown
        self._settle = settle
        self._clock = clock
        self._calm_from = 0.0
        self._settled_from = 0.0  # 429s before this are the overflow already acted on
        self._fine = 0  # the limit before the last step up, which answered without 429; 0: unknown
        self._successes = 0
        self._lock = threading.Lock()
        self._waiting: collections.deque[threading.Event] = collections.deque()
        self._urgent: collections.deque[threading.Event] = collections.deque()  # served first

    @property
    def busy(self) -> int:
        """Requests holding a slot or waiting for one."""
        with self._lock:
            return self.in_flight + len(self._waiting) + len(self._urgent)

    @contextlib.contextmanager
    def slot(self) -> t.Iterator[None]:
        """Hold one of the limit's slots for the duration of one request."""
        with self._lock:
            turn = threading.Event()
            (self._urgent if URGENT.get() else self._waiting).append(turn)
            self._admit()
        turn.wait()  # set once this request's slot is taken for it
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1
                self._admit()

    def _admit(self) -> None:
        """Give free slots to the longest-waiting requests, urgent ones first (the lock is held)."""
        while (self._urgent or self._waiting) and self.in_flight < self.limit:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            (self._urgent or self._waiting).popleft().set()

    def throttled(self) -> None:
        """NetSuite said the pool is full: back to the last fine limit when probing above it, else
        halve; then stay down for a while. The rest of the same overflow's 429s change nothing."""
        with self._lock:
            now = self._clock()
            if now < self._settled_from:
                return
            if 0 < self._fine < self.limit:
                self.limit = self._fine
            else:
                self.limit, self._fine = max(1, self.limit // 2), 0
            self._settled_from = now + self._settle
            self._calm_from = now + self._cooldown
            self._successes = 0

    def succeeded(self) -> None:
        """One answer came back fine: after the cool-down, earn back a slot per `limit` successes."""
        with self._lock:
            if self.limit >= self.maximum or self._clock() < self._calm_from:
                return
            self._successes += 1
            if self._successes >= self.limit:
                self._fine = self.limit
                self.limit += 1
                self._successes = 0
                self._admit()
