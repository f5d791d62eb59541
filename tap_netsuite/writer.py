"""Singer messages out through msgspec, written in blocks rather than one system call per record.

The SDK's default writer serialises with simplejson and flushes stdout after each
message: together most of the tap's CPU per record. msgspec writes the same JSON
(decimals as JSON numbers) several times faster. Records are gathered into blocks
of about 64 KB (stdout may be unbuffered, as PYTHONUNBUFFERED makes it), every
SCHEMA or STATE message writes out what came before it and itself at once, and
the rest is written at exit: a STATE line never reaches the target before the
records it covers, and a killed tap loses only records no emitted state covers.

Records given to `write_record` are kept (a few hundred at most) and encoded together
by one `encode_lines` call, each line then set in its RECORD envelope by byte
replacement: that spends about half the CPU of encoding a message dict per record.
"""

from __future__ import annotations

import atexit
import datetime as dt
import sys

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message

BLOCK = 1 << 16
RECORDS_KEPT = 256  # records encoded together at most


class BufferedMsgSpecWriter(MsgSpecWriter):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._pending = bytearray()
        self._records: list[dict] = []  # not yet encoded, all in self._envelope
        self._envelope: tuple[bytes, bytes] = (b"", b"")
        # The SDK writes no STATE at the end of a sync whose bookmark did not move, so the
        # last records would otherwise never leave; exit (normal, or after SIGTERM) writes them.
        atexit.register(self.flush)

    def write_message(self, message: Message) -> None:
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
        before, after = self._envelope
        lines = encoder.encode_lines(self._records)  # one JSON object per line, each ending in \n
        self._records.clear()
        # A line of JSON holds no raw newline (msgspec writes one in a string as \n), so every
        # newline ends a record.
        pending = self._pending
        pending += before
        pending += lines[:-1].replace(b"\n", after + b"\n" + before)
        pending += after
        pending += b"\n"
        while len(pending) >= BLOCK:
            # The blocks written are those of records written one by one: each ends with the
            # line that reaches BLOCK bytes. (A block much over the 64 KB a pipe holds is more
            # often cut part-written when a reader kills the tap; cut lines are what it then sees.)
            end = pending.index(b"\n", BLOCK - 1) + 1
            sys.stdout.buffer.write(pending[:end])
            del pending[:end]
            sys.stdout.flush()

    def flush(self) -> None:
        self._encode_records()
        if self._pending:
            sys.stdout.buffer.write(self._pending)
            self._pending.clear()
        sys.stdout.flush()
