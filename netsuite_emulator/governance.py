"""Concurrency governance, the latency model and what tests observe (docs/netsuite.md §7).

One pool counts the requests in flight across SuiteQL, the record API and RESTlets. A request
over the limit is refused at once, never queued. Latency is slept while the slot is held and
outside every database lock, so many requests can be in flight together.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque


class Pool:
    """A counter of slots in use with a size that may change at run time."""

    def __init__(self, size: int) -> None:
        self.size, self.in_use, self.peak = size, 0, 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self.in_use >= self.size:
                return False
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)
            return True

    def release(self) -> None:
        with self._lock:
            self.in_use -= 1


class Latency:
    """A request answers after `base_ms + per_row_ms * rows` in all, like a NetSuite page that
    takes about a second: the emulator's own work counts toward that time (it sleeps only the
    rest), so a benchmark measures the client against the model, not the emulator's speed.
    A request whose modelled time would pass `timeout_s` is cut off there (the caller then
    answers the timeout). 0 means no timeout."""

    def __init__(self, base_ms: float = 0.0, per_row_ms: float = 0.0, timeout_s: float = 0.0) -> None:
        self.base_ms, self.per_row_ms, self.timeout_s = base_ms, per_row_ms, timeout_s

    def wait(self, rows: int, already_s: float = 0.0) -> bool:
        """Sleep until the modelled time has passed; False when the request ran past the timeout."""
        total = max((self.base_ms + self.per_row_ms * rows) / 1000.0, already_s)
        if self.timeout_s and total > self.timeout_s:
            time.sleep(max(0.0, self.timeout_s - already_s))
            return False
        if total > already_s:
            time.sleep(total - already_s)
        return True


class Metrics:
    """Counters for `/_emulator/metrics`; every method is thread-safe."""

    def __init__(self, keep_queries: int = 100) -> None:
        self._lock = threading.Lock()
        self.keep_queries = keep_queries
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.by_route: dict[str, Counter] = {}
            self.in_flight = self.max_in_flight = 0
            self.throttled = self.token_requests = 0
            self.faults: Counter = Counter()
            self.queries: deque = deque(maxlen=self.keep_queries)

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self, route: str, status: int | str) -> None:
        with self._lock:
            self.in_flight -= 1
            self.by_route.setdefault(route, Counter())[str(status)] += 1
            if status == 429:
                self.throttled += 1

    def token_request(self) -> None:
        with self._lock:
            self.token_requests += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def query(self, q: str, limit: int, offset: int, status: int, rows: int) -> None:
        with self._lock:
            self.queries.append(
                {"q": q, "limit": limit, "offset": offset, "status": status, "rows": rows, "at": round(time.time(), 3)}
            )

    def snapshot(self, pool: Pool) -> dict:
        with self._lock:
            return {
                "requests": {route: dict(c) for route, c in sorted(self.by_route.items())},
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "pool": {"size": pool.size, "in_use": pool.in_use, "max_in_use": pool.peak},
                "throttled_429": self.throttled,
                "token_requests": self.token_requests,
                "faults": dict(self.faults),
                "queries": list(self.queries),
            }
