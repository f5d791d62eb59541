"""Reading several sources at once while handing their items out strictly in source order.

Each source runs in its own thread and hands over batches through a small
queue, so at most `ahead` sources are read at a time and each holds at most
`buffered` batches: memory stays bounded however large the whole read is.
"""

from __future__ import annotations

import contextvars
import queue
import threading
import time
import typing as t

_DONE = object()

T = t.TypeVar("T")


def in_order(
    sources: t.Sequence[t.Callable[[], t.Iterable[list[T]]]], *, ahead: int, buffered: int = 3
) -> t.Iterator[T]:
    """Items of `sources[0]`, then of `sources[1]`, ..., with up to `ahead` sources read concurrently."""
    stop = threading.Event()
    queues: list[queue.Queue] = [queue.Queue(maxsize=buffered) for _ in sources]
    threads: list[threading.Thread] = []
    try:
        for index in range(len(sources)):
            while len(threads) < min(len(sources), index + ahead):
                n = len(threads)
                # In a copy of this thread's context: the reader's `limiter.URGENT` holds for its windows.
                thread = threading.Thread(
                    target=contextvars.copy_context().run,
                    args=(_feed, sources[n], queues[n], stop),
                    daemon=True,
                    name=f"tap-netsuite-window-{n}",
                )
                thread.start()
                threads.append(thread)
            while (batch := queues[index].get()) is not _DONE:
                if isinstance(batch, BaseException):
                    raise batch
                yield from batch
    finally:
        stop.set()
        # 5 s for all of them, not each: a reader inside a request (up to request_timeout) is a
        # daemon thread, and a stop on a signal must not wait 5 s per window read ahead.
        deadline = time.monotonic() + 5
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


def _feed(source: t.Callable[[], t.Iterable[list]], into: queue.Queue, stop: threading.Event) -> None:
    """Put each batch of `source` into `into`, then _DONE or the error it raised; give up once `stop` is set."""
    try:
        for batch in source():
            if not _put(into, batch, stop):
                return
        _put(into, _DONE, stop)
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
        _put(into, exc, stop)


def _put(into: queue.Queue, item: object, stop: threading.Event) -> bool:
    """Put `item` when there is room; False when `stop` was set first."""
    while not stop.is_set():
        try:
            into.put(item, timeout=0.2)
        except queue.Full:
            continue
        return True
    return False


def started(name: str, fn: t.Callable[..., T], *args: t.Any) -> t.Callable[[], T]:
    """`fn(*args)` begun in a thread now; the returned function waits for its result (or raises)."""
    outcome: dict[str, t.Any] = {}

    def run() -> None:
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - raised to whoever waits for the result
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name=f"tap-netsuite-{name}")
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return result
