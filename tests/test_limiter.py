"""The tap-wide concurrency limit: never above the maximum, down on 429, back up after."""

from __future__ import annotations

import threading

import pytest

from tap_netsuite.limiter import URGENT, AdaptiveLimiter
from tap_netsuite.parallel import in_order


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_never_more_in_flight_than_the_limit():
    limiter = AdaptiveLimiter(3)
    release = threading.Event()
    entered = threading.Semaphore(0)

    def work():
        with limiter.slot():
            entered.release()
            release.wait(5)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for _ in range(3):
        assert entered.acquire(timeout=5)
    assert not entered.acquire(timeout=0.2)  # the fourth waits
    assert limiter.in_flight == 3
    release.set()
    for thread in threads:
        thread.join(5)
    assert limiter.peak == 3 and limiter.in_flight == 0


def test_slots_go_to_requests_in_the_order_they_asked():
    """First come, first served: a request that arrives while others wait queues behind them,
    so the window records wait for is never passed over by windows asked for later."""
    limiter = AdaptiveLimiter(1)
    order: list[int] = []
    hold = threading.Event()

    def work(n: int) -> None:
        with limiter.slot():
            order.append(n)
            if n == 0:
                hold.wait(5)

    threads = [threading.Thread(target=work, args=(0,))]
    threads[0].start()
    while limiter.in_flight == 0:
        threading.Event().wait(0.01)
    for n in range(1, 9):
        threads.append(threading.Thread(target=work, args=(n,)))
        threads[-1].start()
        while limiter.busy < n + 1:  # asked, and now waiting
            threading.Event().wait(0.01)
    hold.set()
    for thread in threads:
        thread.join(5)
    assert order == list(range(9))


def test_urgent_requests_are_served_first_and_each_kind_in_the_order_it_asked():
    """A whole table's chain (limiter.URGENT) goes before the small requests that asked earlier;
    among urgent ones, and among the rest, first come first served."""
    limiter = AdaptiveLimiter(1)
    order: list[str] = []
    hold = threading.Event()

    def work(name: str, urgent: bool) -> None:
        URGENT.set(urgent)
        with limiter.slot():
            order.append(name)
            if name == "holder":
                hold.wait(5)

    asked = [("holder", False), ("a", False), ("B", True), ("c", False), ("D", True), ("e", False)]
    threads = []
    for n, (name, urgent) in enumerate(asked):
        threads.append(threading.Thread(target=work, args=(name, urgent)))
        threads[-1].start()
        while limiter.busy < n + 1:  # asked, and now holding or waiting
            threading.Event().wait(0.01)
    hold.set()
    for thread in threads:
        thread.join(5)
    assert order == ["holder", "B", "D", "a", "c", "e"]


def test_window_threads_inherit_their_readers_urgency():
    seen: list[bool] = []

    def source() -> list[list[bool]]:
        seen.append(URGENT.get())
        return [[True]]

    def read(urgent: bool) -> list[bool]:
        URGENT.set(urgent)
        return list(in_order([source, source], ahead=2))

    for urgent in (True, False):
        reader = threading.Thread(target=read, args=(urgent,))
        reader.start()
        reader.join(5)
    assert seen == [True, True, False, False]


def test_halves_on_429_then_climbs_back_after_the_cooldown():
    clock = Clock()
    limiter = AdaptiveLimiter(8, cooldown=30, clock=clock)
    limiter.throttled()
    assert limiter.limit == 4
    clock.now = 2  # past the settle second: a new overflow
    limiter.throttled()
    assert limiter.limit == 2
    for _ in range(10):
        limiter.succeeded()
    assert limiter.limit == 2  # still cooling down
    clock.now = 33
    for _ in range(2):
        limiter.succeeded()
    assert limiter.limit == 3
    for _ in range(100):
        limiter.succeeded()
    assert limiter.limit == 8  # never above the maximum


def test_the_429s_of_one_overflow_halve_the_limit_once():
    clock = Clock()
    limiter = AdaptiveLimiter(10, cooldown=30, settle=1, clock=clock)
    for _ in range(9):  # ten requests sent together into a pool of 2: eight or nine refused at once
        limiter.throttled()
    assert limiter.limit == 5
    clock.now = 1.5
    limiter.throttled()
    assert limiter.limit == 2


def test_a_429_while_probing_goes_back_to_the_fine_limit_not_below_it():
    """Pool 2, max_concurrency 10: the limit settles at 2 and probes 3 once per cool-down,
    instead of falling to 1 for every cool-down (that took 120 s where 2 took 63)."""
    clock = Clock()
    limiter = AdaptiveLimiter(10, cooldown=30, settle=1, clock=clock)
    limiter.throttled()
    clock.now = 2
    limiter.throttled()
    assert limiter.limit == 2
    for probe in range(3):
        clock.now = 40 + 40 * probe
        for _ in range(2):
            limiter.succeeded()
        assert limiter.limit == 3  # the probe
        limiter.throttled()
        assert limiter.limit == 2  # back to what was fine, not 3 // 2 = 1
    clock.now = 200
    limiter.throttled()  # a 429 at the fine limit itself: the pool shrank, halve
    assert limiter.limit == 1


def test_a_bad_maximum_names_the_setting():
    with pytest.raises(ValueError, match="max_concurrency must be at least 1"):
        AdaptiveLimiter(0)


def test_in_order_keeps_source_order_and_passes_errors_on():
    sources = [lambda i=i: ([i * 10 + j] for j in range(3)) for i in range(7)]
    assert list(in_order(sources, ahead=3, buffered=1)) == [i * 10 + j for i in range(7) for j in range(3)]

    def broken():
        yield [1]
        raise RuntimeError("window failed")

    with pytest.raises(RuntimeError, match="window failed"):
        list(in_order([broken, lambda: iter([[2]])], ahead=2))


def test_in_order_stops_its_readers_when_the_reader_stops_early():
    produced = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield [n]
            n += 1

    reader = in_order([endless, endless], ahead=2, buffered=2)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()
    count = len(produced)
    threading.Event().wait(0.5)
    assert len(produced) <= count + 1  # the threads stopped
