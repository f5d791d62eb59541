"""Running one command after a burst of deliveries, not one per delivery (a trailing debounce).

Each accepted delivery calls `DebouncedCommand.notify`. The command starts once no delivery has
arrived for `quiet_s` seconds, or `max_delay_s` after the first waiting delivery when they keep
coming. A run covers every delivery accepted before it started; deliveries that arrive during a
run cause one more run after it. Runs never overlap. Each is bounded by `timeout_s`, then killed.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
import threading
import time
import typing as t

from tap_netsuite.webhook_store import DeliveryStore

_LOG = logging.getLogger("tap_netsuite.webhook")


class DebouncedCommand:
    """A command run in a background thread, debounced over notifications.

    >>> runner = DebouncedCommand(DeliveryStore(":memory:"), "meltano run tap-netsuite target-postgres", quiet_s=30)
    >>> runner.start(); runner.notify(); runner.stop()
    """

    def __init__(
        self,
        store: DeliveryStore,
        command: str | t.Sequence[str],
        *,
        quiet_s: float = 60.0,
        max_delay_s: float | None = None,
        timeout_s: float = 3600.0,
    ) -> None:
        self.store = store
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            msg = "the command to run is empty"
            raise ValueError(msg)
        self.quiet_s = quiet_s
        self.max_delay_s = max_delay_s if max_delay_s is not None else 10 * quiet_s
        self.timeout_s = timeout_s
        self._changed = threading.Condition()
        self._first: float | None = None  # monotonic time of the first delivery waiting for a run
        self._last: float | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="webhook-command", daemon=True)

    def start(self) -> None:
        """Start the runner; deliveries left waiting by an earlier receiver get their run too."""
        if self.store.pending():
            self.notify()
        self._thread.start()

    def notify(self) -> None:
        """A delivery was recorded: (re)start the quiet period."""
        now = time.monotonic()
        with self._changed:
            self._first = self._first if self._first is not None else now
            self._last = now
            self._changed.notify()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop waiting; a run in progress finishes (bounded by its own timeout)."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _due(self) -> float | None:
        if self._first is None or self._last is None:
            return None
        return min(self._last + self.quiet_s, self._first + self.max_delay_s)

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._stopping and ((due := self._due()) is None or (wait := due - time.monotonic()) > 0):
                    self._changed.wait(None if due is None else wait)
                if self._stopping:
                    return
                self._first = self._last = None
            self._run()

    def _run(self) -> None:
        run, covered = self.store.start_run()
        if not covered:
            self.store.finish_run(run, None, "nothing to do")
            return
        _LOG.info("Running %s for %d deliveries (run %d).", self.argv[0], len(covered), run)
        try:
            finished = subprocess.run(self.argv, timeout=self.timeout_s, check=False)  # noqa: S603 - the operator's own command
        except subprocess.TimeoutExpired:
            _LOG.error("The command ran over %.0f s and was stopped (run %d).", self.timeout_s, run)
            self.store.finish_run(run, None, "timed out")
            return
        except OSError as exc:
            _LOG.error("The command could not start: %s (run %d). Check --command.", exc, run)
            self.store.finish_run(run, None, f"could not start: {exc}")
            return
        outcome = "succeeded" if finished.returncode == 0 else "failed"
        if finished.returncode != 0:
            _LOG.error(
                "The command exited %d (run %d); the next delivery starts another run.", finished.returncode, run
            )
        self.store.finish_run(run, finished.returncode, outcome)
