"""Faults on demand: fail chosen requests with an HTTP error, a dropped connection, a truncated
body or a stall, so tests can prove a client's retries.

A plan is {"kind", one of "next"/"every"/"fraction", optional "seed", "route", "stall_s"}:
- kind: 429, 500, 503, "drop" (close without answering), "truncate" (send part of the body),
  "stall" (sleep `stall_s` seconds, then answer normally);
- next: N -> the next N matching requests; every: K -> every Kth matching request;
  fraction: p with seed -> each matching request with probability p (seeded, reproducible);
- route: only requests to this route (suiteql, record, metadata, restlet, token).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

KINDS = ("429", "500", "503", "drop", "truncate", "stall")
ROUTES = ("suiteql", "record", "metadata", "restlet", "token", "rest")


class FaultError(ValueError):
    """A fault plan that makes no sense."""


@dataclass
class Plan:
    kind: str
    next: int | None = None
    every: int | None = None
    fraction: float | None = None
    seed: int = 0
    route: str | None = None
    stall_s: float = 30.0


def parse(request: dict) -> Plan:
    if not isinstance(request, dict):
        raise FaultError("a fault plan is a JSON object")
    unknown = set(request) - {"kind", "next", "every", "fraction", "seed", "route", "stall_s"}
    if unknown:
        raise FaultError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    kind = str(request.get("kind"))
    if kind not in KINDS:
        raise FaultError(f"kind must be one of {', '.join(KINDS)}")
    modes = [m for m in ("next", "every", "fraction") if request.get(m) is not None]
    if len(modes) != 1:
        raise FaultError("give exactly one of next, every, fraction")
    route = request.get("route")
    if route is not None and route not in ROUTES:
        raise FaultError(f"route must be one of {', '.join(ROUTES)}")
    plan = Plan(kind, route=route, seed=int(request.get("seed", 0)), stall_s=float(request.get("stall_s", 30.0)))
    if modes[0] == "fraction":
        plan.fraction = float(request["fraction"])
        if not 0 <= plan.fraction <= 1:
            raise FaultError("fraction must be between 0 and 1")
    else:
        value = request[modes[0]]
        if not isinstance(value, int) or value < 1:
            raise FaultError(f"{modes[0]} must be a positive integer")
        setattr(plan, modes[0], value)
    return plan


class Faults:
    """The active plan (at most one) and its counters; thread-safe."""

    def __init__(self, plan: Plan | None = None) -> None:
        self._lock = threading.Lock()
        self.set(plan)

    def set(self, plan: Plan | None) -> None:
        with self._lock:
            self.plan, self.seen, self.fired = plan, 0, 0
            self._rng = random.Random(plan.seed if plan else 0)

    def describe(self) -> dict | None:
        with self._lock:
            if self.plan is None:
                return None
            out = {k: v for k, v in vars(self.plan).items() if v is not None}
            return {**out, "seen": self.seen, "fired": self.fired}

    def pick(self, route: str) -> Plan | None:
        """The plan when this request must fail, else None."""
        with self._lock:
            plan = self.plan
            if plan is None or (plan.route and plan.route != route):
                return None
            self.seen += 1
            if plan.next is not None:
                hit = self.fired < plan.next
            elif plan.every is not None:
                hit = self.seen % plan.every == 0
            else:
                hit = self._rng.random() < (plan.fraction or 0.0)
            if hit:
                self.fired += 1
            return plan if hit else None
