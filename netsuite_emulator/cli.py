"""`netsuite-emulator serve`: build the data set, serve it, and hand the tap a ready config."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import data, faults, formats, governance_limits, lines, oauth2, schema, tables
from .engine import Engine, Settings
from .faults import Faults
from .generators import Sizes
from .governance import Latency, Metrics, Pool
from .mutations import Mutator
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


def _denied_column(text: str) -> str:
    table, _, column = text.lower().partition(".")
    if table not in schema.TABLES or column not in schema.TABLES[table]:
        raise argparse.ArgumentTypeError(f"{text!r} is not TABLE.COLUMN of the account (e.g. customer.email)")
    return f"{table}.{column}"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netsuite-emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("tables", help="print the account's table list (the README's, made from the declarations)")
    serve = commands.add_parser("serve", help="serve a deterministic emulated NetSuite account")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--customers", type=int, default=100)
    serve.add_argument(
        "--invoices", type=int, default=1000, help="exact number of CustInvc transactions (other types come on top)"
    )
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--config-out", type=Path, help="write the ready tap config JSON here")
    serve.add_argument("--account-id", default="1234567_SB1")
    serve.add_argument(
        "--timezone", type=_zone, default=ZoneInfo("America/Los_Angeles"), help="account time zone (IANA name)"
    )
    serve.add_argument(
        "--date-format",
        type=_date_format,
        default="M/D/YYYY",
        help="user date format: M/D/YYYY, D/M/YYYY, D.M.YYYY, YYYY-MM-DD",
    )
    serve.add_argument(
        "--decimal-leading-zero",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="render 0.5 as '0.5' (default) or '.5'",
    )
    serve.add_argument(
        "--subsecond", action="store_true", help="modification times keep milliseconds that HH24:MI:SS hides"
    )
    serve.add_argument(
        "--nulls",
        choices=("left-out", "null"),
        default="left-out",
        help="NULL columns left out of items (default) or sent as null",
    )
    serve.add_argument(
        "--links",
        choices=("self-next", "all"),
        default="self-next",
        help="collection links: self and next (default), or also previous/first/last",
    )
    serve.add_argument(
        "--deny-table",
        action="append",
        default=[],
        choices=sorted(schema.TABLES),
        help="a table the role may not read (repeatable)",
    )
    serve.add_argument(
        "--deny-column",
        action="append",
        default=[],
        type=_denied_column,
        metavar="TABLE.COLUMN",
        help="a column the role cannot see: naming it is 400 Unknown identifier, * leaves it out (repeatable)",
    )
    serve.add_argument(
        "--tie-order",
        choices=("shuffled", "stable"),
        default="shuffled",
        help="rows tied under a non-unique ORDER BY: in a new order each request (default, as NetSuite) or stable",
    )
    serve.add_argument(
        "--lines-per-transaction",
        "--lines-per-invoice",
        dest="lines_per_transaction",
        type=int,
        default=2,
        help="item lines per transaction, plus the main line (payments: main line only)",
    )
    serve.add_argument("--vendors", type=int, help="vendors (default: customers / 10, at least 3)")
    serve.add_argument("--employees", type=int, help="employees (default: customers / 50, at least 3)")
    serve.add_argument("--items", type=int, default=24, help="items (at least 6)")
    serve.add_argument(
        "--custom-records", type=int, help="rows of each custom record type (default: customers / 2, at least 2)"
    )
    serve.add_argument(
        "--accounting-lines-dated-from",
        type=_day,
        default=date(2023, 3, 1),
        help="transactionaccountingline.lastmodifieddate is NULL on transactions created before this day "
        "(NetSuite added it in 2023.1)",
    )
    serve.add_argument("--concurrency", type=int, default=5, help="the account's pool size")
    serve.add_argument(
        "--retry-after-s", type=float, help="send Retry-After: S on every 429 (NetSuite's own is unsure; off)"
    )
    serve.add_argument(
        "--integration-concurrency",
        type=int,
        help="a limit allocated to the tap's integration record (governanceLimits: integrationSpecific)",
    )
    serve.add_argument(
        "--allocated-elsewhere",
        type=int,
        default=0,
        help="concurrency allocated to the customer's other integrations (less unallocated)",
    )
    serve.add_argument(
        "--governance-role",
        choices=("administrator", "other"),
        default="administrator",
        help="governanceLimits answers only an administrator's role; other: 403",
    )
    serve.add_argument("--latency-base-ms", type=float, default=0.0)
    serve.add_argument("--latency-per-row-ms", type=float, default=0.0)
    serve.add_argument(
        "--request-timeout-s",
        type=float,
        default=0.0,
        help="cut off requests whose modelled time passes this (0: never)",
    )
    serve.add_argument(
        "--metrics-queries", type=int, default=100, help="how many recent queries /_emulator/metrics keeps"
    )
    serve.add_argument("--fault-kind", choices=faults.KINDS)
    serve.add_argument("--fault-next", type=int)
    serve.add_argument("--fault-every", type=int)
    serve.add_argument("--fault-fraction", type=float)
    serve.add_argument("--fault-seed", type=int, default=0)
    serve.add_argument("--fault-route", choices=faults.ROUTES)
    serve.add_argument("--fault-stall-s", type=float, default=30.0)
    serve.add_argument("--oauth2-client-id")
    serve.add_argument("--oauth2-certificate-id")
    serve.add_argument("--oauth2-public-key", type=Path, help="PEM public key or certificate")
    serve.add_argument(
        "--oauth2-generate-key",
        nargs=2,
        metavar=("rsa|ec", "KEY_OUT"),
        help="write a fresh private key PEM and accept its signatures",
    )
    serve.add_argument("--token-lifetime-s", type=int, default=3600)
    serve.add_argument(
        "--config-out-auth",
        choices=("tba", "oauth2"),
        default="tba",
        help="oauth2 adds client_id, certificate_id, private_key_path",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "tables":
        sys.stdout.write(tables.markdown())
        return 0
    sizes = (args.customers, args.invoices, args.vendors or 0, args.employees or 0, args.custom_records or 0)
    if min(sizes) < 0 or args.lines_per_transaction < 0 or (args.invoices and not args.customers):
        sys.exit("netsuite-emulator: sizes must be >= 0, and invoices need customers")
    if args.lines_per_transaction >= lines.LINE_SPAN:
        sys.exit(f"netsuite-emulator: --lines-per-transaction must be below {lines.LINE_SPAN}")
    return serve(args)


def serve(args: argparse.Namespace) -> int:
    started = time.monotonic()
    # Many request threads share one interpreter: a thread whose page is due (its modelled
    # latency over) waits for the GIL at most this long before it answers. Python's default,
    # 5 ms, added tens of ms per page under load, beyond what the latency model says.
    sys.setswitchinterval(0.0005)
    dated_from = formats.local_midnight(args.accounting_lines_dated_from, args.timezone)
    sizes = Sizes(
        args.customers,
        args.invoices,
        args.lines_per_transaction,
        args.vendors,
        args.employees,
        args.items,
        args.custom_records,
        dated_from,
    )
    conn = data.build_database(
        args.customers, args.invoices, args.seed, args.timezone, subsecond=args.subsecond, sizes=sizes
    )
    sys.stderr.write(
        f"generated {args.customers} customers and {args.invoices} invoices in {time.monotonic() - started:.1f} s\n"
    )
    config = {
        "account_id": args.account_id,
        "consumer_key": secret(args.seed, "consumer_key"),
        "consumer_secret": secret(args.seed, "consumer_secret"),
        "token_id": secret(args.seed, "token_id"),
        "token_secret": secret(args.seed, "token_secret"),
    }
    credentials = Credentials(
        realm_of(args.account_id),
        config["consumer_key"],
        config["consumer_secret"],
        config["token_id"],
        config["token_secret"],
    )
    lock = threading.Lock()
    settings = Settings(
        args.timezone,
        args.date_format,
        args.decimal_leading_zero,
        args.nulls,
        args.links,
        args.subsecond,
        frozenset(args.deny_table),
        frozenset(args.deny_column),
        args.tie_order,
    )
    plan = None
    if args.fault_kind:
        try:
            plan = faults.parse(
                {
                    k: v
                    for k, v in {
                        "kind": args.fault_kind,
                        "next": args.fault_next,
                        "every": args.fault_every,
                        "fraction": args.fault_fraction,
                        "seed": args.fault_seed,
                        "route": args.fault_route,
                        "stall_s": args.fault_stall_s,
                    }.items()
                    if v is not None
                }
            )
        except faults.FaultError as exc:
            sys.exit(f"netsuite-emulator: {exc}")
    state = State(
        conn,
        lock,
        Engine(conn, settings, lock, args.seed),
        Verifier(credentials),
        Pool(args.concurrency, args.retry_after_s),
        Latency(args.latency_base_ms, args.latency_per_row_ms, args.request_timeout_s),
        Metrics(args.metrics_queries),
        Faults(plan),
        Mutator(
            conn,
            lock,
            settings,
            args.seed,
            lines.LineShape(args.lines_per_transaction, sizes.count("item"), dated_from),
        ),
        _oauth2(args, config),
        governance_limits.Allocation(
            integration=args.integration_concurrency,
            others=args.allocated_elsewhere,
            administrator=args.governance_role == "administrator",
        ),
    )
    server = EmulatorServer((args.host, args.port), state)
    host, port = str(server.server_address[0]), int(server.server_address[1])
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
    sys.stdout.write(f"netsuite-emulator listening on {base_url}\n")
    sys.stdout.flush()
    stop.wait()
    server.shutdown()
    server.server_close()
    worker.join()
    conn.close()
    return 0


def _oauth2(args: argparse.Namespace, config: dict) -> oauth2.TokenService | None:
    """The OAuth 2.0 integration when configured; adds its settings to the tap config when
    --config-out-auth oauth2 asks for them."""
    if not (args.oauth2_public_key or args.oauth2_generate_key):
        return None
    client_id = args.oauth2_client_id or secret(args.seed, "oauth2_client_id")
    certificate_id = args.oauth2_certificate_id or secret(args.seed, "certificate_id")[:43]
    key_path = None
    if args.oauth2_generate_key:
        kind, out = args.oauth2_generate_key
        if kind not in ("rsa", "ec"):
            sys.exit("netsuite-emulator: --oauth2-generate-key takes rsa or ec")
        key_path = Path(out).resolve()
        public_key = oauth2.generate_key(kind, key_path)
    else:
        public_key = oauth2.load_public_key(args.oauth2_public_key)
    if args.config_out_auth == "oauth2":
        config.update(client_id=client_id, certificate_id=certificate_id)
        if key_path is not None:
            config["private_key_path"] = str(key_path)
    return oauth2.TokenService(client_id, certificate_id, public_key, args.token_lifetime_s)


def _write_atomically(path: Path, text: str) -> None:
    """Readers see no file or the whole file, never a half-written one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
