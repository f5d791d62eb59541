"""Singer messages out through msgspec, written in blocks rather than one system call per record.

The SDK's default writer serialises with simplejson and flushes stdout after each
message: together most of the tap's CPU per record. msgspec writes the same JSON
(decimals as JSON numbers) several times faster. Records are gathered into blocks
of about 64 KB (stdout may be unbuffered, as PYTHONUNBUFFERED makes it), every
SCHEMA or STATE message writes out what came before it and itself at once, and
the rest is written at exit: a STATE line never reaches the target before the
records it covers, and a killed tap loses only records no emitted state covers.

A signal (SIGTERM, Ctrl-C) never cuts a line: `stop` acts at once when the writer is idle,
else once the writer's current stretch (a block being written, records being encoded) is
done. Either way it writes what is pending, then one STATE, and ends the process with
128 + the signal's number. A write that fails (the reader closed the pipe, a full disk)
raises `NetSuiteOutputError` with one line naming the cause, and nothing more is written.

Records given to `write_record` are kept (a few hundred at most) and encoded together
by one `encode_lines` call, each line then set in its RECORD envelope by byte
replacement: that spends about half the CPU of encoding a message dict per record.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import errno
import os
import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message

from tap_netsuite.errors import NetSuiteOutputError

BLOCK = 1 << 16
RECORDS_KEPT = 256  # records encoded together at most


class BufferedMsgSpecWriter(MsgSpecWriter):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._pending = bytearray()
        self._records: list[dict] = []  # not yet encoded, all in self._envelope
        self._envelope: tuple[bytes, bytes] = (b"", b"")
        self.started = False  # a message has been written: a sync is under way
        self._busy = False  # inside a stretch a signal must not cut (see `_whole`)
        self._stopping: tuple[int, t.Callable[[], None]] | None = None  # see `stop`
        self._failed = False  # a write failed: nothing more is written
        # The SDK writes no STATE at the end of a sync whose bookmark did not move, so the
        # last records would otherwise never leave; exit (normal, or after SIGTERM) writes them.
        atexit.register(self.flush_at_exit)

    def write_message(self, message: Message) -> None:
        with self._whole():
            self.started = True
            self._encode_records()  # records given before this message go out before it
            self._pending += self.format_message(message)
            if len(self._pending) >= BLOCK or not isinstance(message, RecordMessage):
                self.flush()

    @staticmethod
    def envelope(stream: str, version: int | None, time_extracted: dt.datetime) -> tuple[bytes, bytes]:
        """What comes before and after the record in the line `RecordMessage(...).to_dict()` encodes
        to: `{"type":"RECORD","stream":...,"record":` and `,"version":...,"time_extracted":...}`."""
        before = b'{"type":"RECORD","stream":' + encoder.encode(stream) + b',"record":'
        after = b',"version":' + encoder.encode(version) if version is not None else b""
        return before, after + b',"time_extracted":' + encoder.encode(time_extracted) + b"}"

    def write_record(self, record: dict, envelope: tuple[bytes, bytes]) -> None:
        """The RECORD line `envelope[0] + record + envelope[1]` (see `envelope`), encoded a little later.

        The record must not change until then: the next message, `flush`, or RECORDS_KEPT records on.
        """
        if envelope is not self._envelope:
            self._encode_records()
            self._envelope = envelope
        records = self._records
        records.append(record)
        if len(records) >= RECORDS_KEPT:
            self._encode_records()

    def _encode_records(self) -> None:
        if not self._records:
            return
        with self._whole():
            self._encode_kept_records()

    def uncut(self) -> t.ContextManager[None]:
        """A stretch of the caller's that a signal must not cut, such as records written and
        the bookmark moved past them: a signal inside is acted on (its STATE written) at its end."""
        return self._whole()

    def write_records(self, records: list[dict], envelope: tuple[bytes, bytes]) -> None:
        """The RECORD lines of `records` (see `write_record`), encoded at once: a page's worth."""
        self._encode_records()  # records given before these go out before them
        with self._whole():
            for start in range(0, len(records), RECORDS_KEPT):  # small buffers, reused by malloc
                self._encode(records[start : start + RECORDS_KEPT], envelope)

    def _encode_kept_records(self) -> None:
        self._encode(self._records, self._envelope)
        self._records.clear()

    def _encode(self, records: list[dict], envelope: tuple[bytes, bytes]) -> None:
        if not records:
            return
        before, after = envelope
        lines = encoder.encode_lines(records)  # one JSON object per line, each ending in \n
        # A line of JSON holds no raw newline (msgspec writes one in a string as \n), so every
        # newline ends a record.
        pending = self._pending
        pending += before
        pending += lines[:-1].replace(b"\n", after + b"\n" + before)
        pending += after
        pending += b"\n"
        start = 0
        while len(pending) - start >= BLOCK:
            # The blocks written are those of records written one by one: each ends with the
            # line that reaches BLOCK bytes. (A block much over the 64 KB a pipe holds is more
            # often cut part-written when a reader kills the tap; cut lines are what it then sees.)
            end = pending.index(b"\n", start + BLOCK - 1) + 1
            self._write_out(pending[start:end])
            start = end
        del pending[:start]  # once, not per block: a page's lines are several blocks

    def flush(self) -> None:
        with self._whole():
            self._encode_records()
            block, self._pending = self._pending, bytearray()
            self._write_out(block)

    def _write_out(self, block: bytes | bytearray) -> None:
        """All of `block` to stdout, whole: an unbuffered stdout (PYTHONUNBUFFERED) may take part
        of it per call, as a pipe does when a signal interrupts a write. (A write that answers
        None, as a stand-in for stdout may, is taken as whole.)"""
        if self._failed:
            return
        out = sys.stdout.buffer
        try:
            with memoryview(block) as view:
                done = 0
                while done < len(view):
                    written = out.write(view[done:])
                    done = len(view) if written is None else done + written
            sys.stdout.flush()
        except OSError as exc:
            self._failed = True
            _detach_stdout()
            raise NetSuiteOutputError(_output_failure(exc)) from None

    # Signals --------------------------------------------------------------

    @contextlib.contextmanager
    def _whole(self) -> t.Iterator[None]:
        """A stretch a signal must not cut: pending bytes being changed or written out. A signal
        that arrives inside is acted on as the outermost stretch ends."""
        if self._busy:
            yield
            return
        self._busy = True
        try:
            yield
        finally:
            self._busy = False
        if self._stopping is not None:
            self._stop_now()

    def stop(self, signum: int, last_state: t.Callable[[], None]) -> None:
        """From a signal handler: write what is pending, then `last_state()` (a STATE message,
        when a sync has begun), and exit 128 + `signum`; when the writer is inside a stretch
        a signal must not cut, once that stretch ends. A second signal ends the process at once."""
        if self._stopping is not None:
            os._exit(128 + signum)
        self._stopping = (signum, last_state)
        if not self._busy:
            self._stop_now()

    def _stop_now(self) -> None:
        if self._stopping is None:
            return
        signum, last_state = self._stopping
        self._busy = True  # from here on, the stop is under way: no stretch acts on it again
        with contextlib.suppress(NetSuiteOutputError):  # already reported; the signal decides the exit
            if self.started:
                last_state()  # a STATE message: what is pending goes out before it
            self.flush()
        raise SystemExit(128 + signum)

    def flush_at_exit(self) -> None:
        """`flush` for atexit: a failure there is one line on stderr, not a traceback."""
        try:
            self.flush()
        except NetSuiteOutputError as exc:
            sys.stderr.write(f"{exc}\n")


def _output_failure(exc: OSError) -> str:
    """One line naming why stdout took no more, and what to do."""
    if exc.errno == errno.EPIPE:
        return (
            "stdout was closed by the program reading the tap's output (broken pipe): it stopped "
            "reading early. Records after the last STATE it read were not delivered; run again from that state."
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            "No space left where stdout is written (the disk or quota is full): free space or "
            "write elsewhere, then run again from the last STATE written."
        )
    return f"Could not write to stdout: {exc.strerror or exc}. Run again from the last STATE written."


def _detach_stdout() -> None:
    """Point stdout's descriptor at /dev/null, so that Python's own flush at exit, or a later
    print, meets no second failure (and prints no traceback)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no descriptor (a test's stand-in)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
