"""`netsuite-emulator serve`: build the data set, serve it, and hand the tap a ready config."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import data, formats
from .engine import Engine, Settings
from .server import EmulatorServer, State
from .signing import Credentials, Verifier

START_DATE = "2020-01-01T00:00:00Z"  # earlier than every generated record


def secret(seed: int, name: str) -> str:
    """A credential fixed by the seed: 64 hex characters, the shape of NetSuite's keys."""
    return hashlib.sha256(f"netsuite-emulator:{seed}:{name}".encode()).hexdigest()


def realm_of(account_id: str) -> str:
    """The OAuth realm NetSuite accepts: the account id upper case with an underscore."""
    return account_id.upper().replace("-", "_")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown IANA time zone {name!r}") from None


def _date_format(text: str) -> str:
    try:
        return formats.check_user_date_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netsuite-emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a deterministic emulated NetSuite account")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--customers", type=int, default=100)
    serve.add_argument("--invoices", type=int, default=1000,
                       help="exact number of CustInvc transactions (other types come on top)")
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--config-out", type=Path, help="write the ready tap config JSON here")
    serve.add_argument("--account-id", default="1234567_SB1")
    serve.add_argument("--timezone", type=_zone, default=ZoneInfo("America/Los_Angeles"),
                       help="account time zone (IANA name)")
    serve.add_argument("--date-format", type=_date_format, default="M/D/YYYY",
                       help="user date format: M/D/YYYY, D/M/YYYY, D.M.YYYY, YYYY-MM-DD")
    serve.add_argument("--decimal-leading-zero", action=argparse.BooleanOptionalAction,
                       default=True, help="render 0.5 as '0.5' (default) or '.5'")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.customers < 0 or args.invoices < 0 or (args.invoices and not args.customers):
        sys.exit("netsuite-emulator: sizes must be >= 0, and invoices need customers")
    return serve(args)


def serve(args: argparse.Namespace) -> int:
    started = time.monotonic()
    conn = data.build_database(args.customers, args.invoices, args.seed, args.timezone)
    print(f"generated {args.customers} customers and {args.invoices} invoices in "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    config = {
        "account_id": args.account_id,
        "consumer_key": secret(args.seed, "consumer_key"),
        "consumer_secret": secret(args.seed, "consumer_secret"),
        "token_id": secret(args.seed, "token_id"),
        "token_secret": secret(args.seed, "token_secret"),
    }
    credentials = Credentials(realm_of(args.account_id), config["consumer_key"],
                              config["consumer_secret"], config["token_id"],
                              config["token_secret"])
    lock = threading.Lock()
    settings = Settings(args.timezone, args.date_format, args.decimal_leading_zero)
    state = State(conn, lock, Engine(conn, settings, lock), Verifier(credentials),
                  random.Random(f"touch:{args.seed}"))
    server = EmulatorServer((args.host, args.port), state)
    host, port = server.server_address[:2]
    base_url = f"http://{host}:{port}"
    # The zone belongs in a ready config: a real account's datetimes are rendered
    # in its user's zone, and a client told nothing can only guess an offset.
    config.update(base_url=base_url, start_date=START_DATE, account_timezone=args.timezone.key)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    worker.start()
    if args.config_out:
        _write_atomically(args.config_out, json.dumps(config, indent=2) + "\n")
    print(f"netsuite-emulator listening on {base_url}", flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    worker.join()
    conn.close()
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """Readers see no file or the whole file, never a half-written one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
