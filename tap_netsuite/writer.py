"""Singer messages out through msgspec, written in blocks rather than one system call per record.

The SDK's default writer serialises with simplejson and flushes stdout after each
message: together most of the tap's CPU per record. msgspec writes the same JSON
(decimals as JSON numbers) several times faster. Records are gathered into blocks
of about 64 KB (stdout may be unbuffered, as PYTHONUNBUFFERED makes it), every
SCHEMA or STATE message writes out what came before it and itself at once, and
the rest is written at exit: a STATE line never reaches the target before the
records it covers, and a killed tap loses only records no emitted state covers.
"""

from __future__ import annotations

import atexit
import sys

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message

BLOCK = 1 << 16


class BufferedMsgSpecWriter(MsgSpecWriter):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._pending = bytearray()
        # The SDK writes no STATE at the end of a sync whose bookmark did not move, so the
        # last records would otherwise never leave; exit (normal, or after SIGTERM) writes them.
        atexit.register(self.flush)

    def write_message(self, message: Message) -> None:
        self._pending += self.format_message(message)
        if len(self._pending) >= BLOCK or not isinstance(message, RecordMessage):
            self.flush()

    def write_record(self, message: dict) -> None:
        """A RECORD message given as the dict `RecordMessage.to_dict()` would be: the same line,
        encoded straight into the block without a message object in between."""
        encoder.encode_into(message, self._pending, -1)  # -1: append
        self._pending += b"\n"
        if len(self._pending) >= BLOCK:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            sys.stdout.buffer.write(self._pending)
            self._pending.clear()
        sys.stdout.flush()
