"""TapNetSuite: the settings and the streams."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import io
import json
import logging
import signal
import sys
import time
import types
import typing as t
from pathlib import Path

import click
from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.tap_base import CliTestOptionValue

from tap_netsuite import custom_queries, diagnose, governance, paging, parallel, sdk_fast_path, settings
from tap_netsuite.auth import OAUTH2_SETTINGS, TBA_SETTINGS
from tap_netsuite.catalogue import TABLES, entry_for
from tap_netsuite.client import NetSuiteClient
from tap_netsuite.columns import base_properties, stream_schema
from tap_netsuite.convert import UTC, zone_from_clock, zone_from_setting
from tap_netsuite.discovery import Discovery, Found
from tap_netsuite.errors import NetSuiteConfigError, NetSuiteError
from tap_netsuite.lines import LINE_STREAM_CLASSES
from tap_netsuite.scheduler import Read, Scheduler
from tap_netsuite.streams import STREAM_CLASSES, OpenInvoiceAgingStream, TableStream, schema_dir, stream_class
from tap_netsuite.suiteql import DATETIME_FORMAT, quote
from tap_netsuite.writer import BufferedMsgSpecWriter

TEST_HELP = (
    "Use --test to check the connection: one tiny request per selected stream, and a diagnosis "
    "(account, realm, host, auth method, clock skew, what each stream could read); no records "
    "are written, exit 1 if any stream cannot be read. Use --test=schema to print the schemas "
    "without syncing."
)


class TapNetSuite(Tap):
    """Copies NetSuite records through SuiteQL, incrementally on lastmodifieddate."""

    name = "tap-netsuite"
    message_writer_class = BufferedMsgSpecWriter
    message_writer: BufferedMsgSpecWriter  # made by the SDK from message_writer_class

    config_jsonschema = th.PropertiesList(
        th.Property(
            "account_id",
            th.StringType,
            required=True,
            description="NetSuite account id in any case, with _ or - (1234567, 1234567_SB1 for sandbox 1).",
        ),
        th.Property(
            "consumer_key",
            th.StringType,
            secret=True,
            description="Token-based authentication: consumer key of the integration record.",
        ),
        th.Property(
            "consumer_secret",
            th.StringType,
            secret=True,
            description="Consumer secret of the integration record.",
        ),
        th.Property(
            "token_id",
            th.StringType,
            secret=True,
            description="Token id of the access token (user, role and integration).",
        ),
        th.Property(
            "token_secret",
            th.StringType,
            secret=True,
            description="Token secret of the access token.",
        ),
        th.Property(
            "client_id",
            th.StringType,
            secret=True,
            description="OAuth 2.0 client credentials: the integration record's client id "
            "(instead of the four token-based settings).",
        ),
        th.Property(
            "certificate_id",
            th.StringType,
            description="OAuth 2.0: the certificate id NetSuite shows in Setup > Integration > "
            "OAuth 2.0 Client Credentials (M2M) Setup.",
        ),
        th.Property(
            "private_key",
            th.StringType,
            secret=True,
            description="OAuth 2.0: the PEM private key of that certificate (RSA signs PS256, EC P-256 signs ES256).",
        ),
        th.Property(
            "private_key_path",
            th.StringType,
            description="OAuth 2.0: a file holding that PEM private key, instead of private_key.",
        ),
        th.Property(
            "oauth_scopes",
            th.ArrayType(th.StringType),
            description="OAuth 2.0 scopes to ask for; default rest_webservices, plus restlets "
            "when the open_invoice_aging RESTlet is configured.",
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            description="Read records modified at or after this moment on the first run "
            "(ISO 8601; without an offset it is UTC). Later runs start from the bookmark.",
        ),
        th.Property(
            "base_url",
            th.URIType,
            description="Replaces the REST host derived from account_id "
            "(https://<account>.suitetalk.api.netsuite.com), for a proxy or the emulator.",
        ),
        th.Property(
            "page_size",
            th.IntegerType(minimum=1, maximum=1000),
            default=1000,
            description="Rows per SuiteQL page, 1 to 1000 (NetSuite's maximum).",
        ),
        th.Property(
            "max_concurrency",
            th.CustomType(
                {"type": ["string", "integer"], "pattern": "^(auto|[1-9][0-9]*)$", "minimum": 1, "maximum": 100}
            ),
            default=governance.DEFAULT,
            description="Most requests in flight at once for the whole tap (1 to 100), or auto. NetSuite's "
            "pool is per account and shared with every other integration: 5 on a standard account, 15 "
            "premium, 20 enterprise, plus 10 per SuiteCloud Plus licence. auto asks NetSuite's "
            "governanceLimits (an administrator's role only) and takes a limit allocated to this "
            "integration whole, else half the unallocated limit (5 -> 2, 15 -> 7); 2 when NetSuite does not "
            "say. On a 429 the tap halves its own concurrency for a while. --test shows the account's limit.",
        ),
        th.Property(
            "lookback_minutes",
            th.IntegerType(minimum=0),
            default=15,
            description="Minutes re-read before the bookmark on every incremental run, for "
            "records committed after a sync read past their lastmodifieddate. 15 covers the "
            "longest a NetSuite request runs before it is killed; re-read rows are upserted.",
        ),
        th.Property(
            "request_timeout",
            th.IntegerType(minimum=1),
            default=900,
            description="Seconds one whole request may take, answer and body, before it is cut and "
            "retried. 900 is NetSuite's own limit for a request.",
        ),
        th.Property(
            "open_invoices_restlet_script",
            th.StringType,
            description="Script id of the open-invoices RESTlet from suitescripts/ "
            "(customscript_tapns_open_invoices_rl once deployed); with the deployment id it "
            "enables the open_invoice_aging stream.",
        ),
        th.Property(
            "open_invoices_restlet_deploy",
            th.StringType,
            description="Deployment id of that RESTlet (customdeploy_tapns_open_invoices_rl).",
        ),
        th.Property(
            "tables",
            th.ArrayType(th.StringType),
            description="Tables and streams to discover, by name or pattern (customer, transaction, "
            "customrecord_*, customlist_*); all that the role can read when unset. On an account "
            "with hundreds of custom record types, list those you need: each is probed.",
        ),
        th.Property(
            "custom_queries",
            th.ArrayType(
                th.ObjectType(
                    th.Property("name", th.StringType, required=True, description="The stream's name."),
                    th.Property("query", th.StringType, required=True, description="A SuiteQL SELECT."),
                    th.Property(
                        "primary_keys",
                        th.ArrayType(th.StringType),
                        # Required, but checked by custom_queries.validate, whose refusal says why.
                        description="Columns unique together in the query's rows: the keyset it is paged by.",
                    ),
                    th.Property(
                        "replication_key",
                        th.StringType,
                        description="A date-time column to read incrementally on; without it the query is "
                        "read whole every run.",
                    ),
                    th.Property(
                        "schema",
                        th.ObjectType(),
                        description="JSON Schema properties of its columns; without it, typed from the "
                        "catalogue and custom fields.",
                    ),
                )
            ),
            description="Streams of your own SuiteQL SELECTs: each has a name, a query, primary keys, an "
            "optional replication key and an optional JSON Schema. Paged by keyset (no 100,000-row cap); "
            "a query that cannot be paged safely (no unique key, a WITH clause) is refused before any request.",
        ),
        th.Property(
            "account_timezone",
            th.StringType,
            description="IANA time zone NetSuite renders datetimes in for this token's user "
            "(Home > Set Preferences > Time Zone), such as America/Los_Angeles. Checked "
            "against the account's clock at start. When absent, the offset is detected from "
            "that clock, which is wrong across daylight-saving changes.",
        ),
    ).to_dict()

    scheduler: Scheduler | None = None  # the run's reads ahead, from the first stream's turn (read_ahead)

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        # When this run began, before any stream read: where sets of transaction lines start
        # on their first sync (lines.LineSetStream).
        self.run_started = sdk_fast_path.utc_now()
        super().__init__(*args, **kwargs)
        if kwargs.get("validate_config", True):  # discovery alone needs no dates
            settings.check_config(self.config)
            settings.check_state(self.state)
        # The streams that had a bookmark when the run began (the state read at start).
        self.bookmarked_at_start = frozenset(
            name for name, state in (self.state.get("bookmarks") or {}).items() if _has_bookmark(state)
        )

    def discover_streams(self) -> list[Stream]:
        """The streams of the input catalog as it describes them; without one, of discovery.

        Custom queries are checked first: one that cannot be paged stops the run before any request.
        """
        queries = self.config.get("custom_queries") or []
        for query in queries:
            custom_queries.validate(query)
        if self.input_catalog is not None:
            found = self._from_catalog()
        else:
            discovery = self.discovery()
            started = time.monotonic()
            found = discovery.run()
            self.logger.info(
                "Discovered %d table streams in %.1f s; %d tables unreadable, %d with hidden columns (warned).",
                len(found),
                time.monotonic() - started,
                len(discovery.cost.unreadable),
                len(discovery.cost.hidden),
            )
            found += [
                Found(
                    custom_queries.entry_table(query), custom_queries.properties(query, discovery.fields, schema_dir())
                )
                for query in queries
            ]
        streams: list[Stream] = []
        for item in found:
            name = item.entry.stream
            cls = STREAM_CLASSES.get(name) or LINE_STREAM_CLASSES.get(name) or stream_class(item.entry)
            streams.append(cls(tap=self, schema=stream_schema(item.properties)))
        if self.config.get("open_invoices_restlet_script") and self.config.get("open_invoices_restlet_deploy"):
            streams.append(OpenInvoiceAgingStream(tap=self))
        for stream in streams:
            stream.logger.addFilter(_drop_sdk_failure_preface)
        return streams

    def discovery(self) -> Discovery:
        """A discovery of the account this tap reads (see discovery.py)."""
        return Discovery(
            self.client,
            self.logger,
            schema_dir(),
            tables=self.config.get("tables"),
            workers=self.client.limiter.maximum,  # max_concurrency, auto resolved
        )

    def _from_catalog(self) -> list[Found]:
        """The input catalog's table streams, with the schemas it gives: no request to NetSuite."""
        catalog = self.input_catalog
        assert catalog is not None  # noqa: S101 - called only with one
        found = []
        queries = {query["name"]: query for query in self.config.get("custom_queries") or []}
        for entry in catalog.streams:
            query = queries.get(entry.tap_stream_id)
            table = custom_queries.entry_table(query) if query else entry_for(entry.tap_stream_id)
            if table is None:
                if entry.tap_stream_id != OpenInvoiceAgingStream.name:
                    self.logger.warning(
                        "Stream %s of the catalog is not one this tap reads; skipped.", entry.tap_stream_id
                    )
                continue
            found.append(Found(table, dict(entry.schema.to_dict().get("properties", {}))))
        return found

    @functools.cached_property
    def client(self) -> NetSuiteClient:
        c = self.config
        scopes = c.get("oauth_scopes") or (
            # The scopes the streams need: RESTlets are a scope of their own.
            ["rest_webservices", "restlets"] if c.get("open_invoices_restlet_script") else ["rest_webservices"]
        )
        credentials: dict[str, t.Any] = {
            name: c.get(name) for name in (*TBA_SETTINGS, *OAUTH2_SETTINGS, "private_key_path")
        }
        configured = governance.setting(c.get("max_concurrency"))  # None: auto
        client = NetSuiteClient(
            account_id=c["account_id"],
            **credentials,
            oauth_scopes=scopes,
            base_url=c.get("base_url"),
            page_size=c.get("page_size", 1000),
            max_concurrency=configured or governance.MAXIMUM,
            request_timeout=c.get("request_timeout", 900),
        )
        if configured is None:
            # auto: NetSuite's governanceLimits, asked before any other request is made.
            client.limiter.maximum = client.limiter.limit = governance.resolve(client)
        return client

    def read_ahead(self, stream: str, context: t.Mapping | None, start: dt.datetime | None) -> t.Any:
        """A stream's read begun while the streams before it were written (`Scheduler.take`), or
        None. The first stream to ask lists the run's reads and begins them: up to
        max_concurrency streams beyond the one being written (see `scheduler`)."""
        if self.scheduler is None or self.scheduler.finished:
            _ = self.client, self._zone_probe  # made once, here, not by two reading threads at once
            self.scheduler = Scheduler(self.planned_reads(), ahead=self.client.limiter.maximum)
        return self.scheduler.take(stream, context, start)

    def stop_reading_ahead(self) -> None:
        """A stream ended early (failed, or the SDK stopped it): the reads ahead stop too."""
        if self.scheduler is not None:
            self.scheduler.close()
            self.scheduler = None

    def planned_reads(self) -> list[Read]:
        """The reads `Tap.sync_all` will ask for, in its order: each selected table stream
        (child streams are synced by their parents; this tap has none), partition by partition."""
        reads: list[Read] = []
        for stream in self.streams.values():
            if (
                not isinstance(stream, TableStream)
                or not stream.reads_ahead
                or not stream.selected
                or stream.parent_stream_type
            ):
                continue
            contexts: list[dict | None] = [*(stream.partitions or [])] or [None]
            for context in contexts:
                start = stream.read_start(context)
                opening = functools.partial(stream.open_read, context, start)
                reads.append(Read(stream.name, context, start, opening, whole=stream.reads_everything(context)))
        return reads

    def reading_zone(self) -> dt.tzinfo:
        """The zone NetSuite renders and reads datetimes in: `account_timezone`'s at once while
        the account's clock is asked in the background (`confirm_zone` waits for the answer),
        or without the setting the clock's own offset."""
        probe = self._zone_probe
        name = self.config.get("account_timezone")
        return zone_from_setting(name) if name else probe()

    def confirm_zone(self) -> None:
        """Wait for the account's clock; raises NetSuiteConfigError if it disagrees with
        `account_timezone`."""
        self._zone_probe()

    @functools.cached_property
    def _zone_probe(self) -> t.Callable[[], dt.tzinfo]:
        return parallel.started("account-clock", self._check_zone)

    def _check_zone(self) -> dt.tzinfo:
        rows = list(paging.all_rows(self.client, f"SELECT TO_CHAR(SYSDATE, {quote(DATETIME_FORMAT)}) AS now FROM DUAL"))
        clock = zone_from_clock(rows[0]["now"], dt.datetime.now(UTC))
        name = self.config.get("account_timezone")
        if not name:
            self.logger.warning(
                "account_timezone is not set; using UTC%s read from the account's clock. "
                "A fixed offset is wrong across daylight-saving changes: set "
                "account_timezone to the zone in NetSuite's Set Preferences.",
                clock.tzname(None)[3:] or "+00:00",
            )
            return clock
        zone = zone_from_setting(name)
        expected = dt.datetime.now(zone).utcoffset()
        if expected != clock.utcoffset(None):
            msg = (
                f"account_timezone {name!r} is UTC offset {settings.offset_text(expected)}, but the account's "
                f"clock reads {rows[0]['now']}, which is offset {settings.offset_text(clock.utcoffset(None))}. Set "
                "account_timezone to the zone in NetSuite's Set Preferences for this token's user."
            )
            raise NetSuiteConfigError(msg)
        return zone

    def _handle_termination(self, signum: int, frame: types.FrameType | None) -> None:
        """SIGTERM or Ctrl-C: every line already begun is finished, the records read so far go
        out with a STATE that covers only them, and the tap exits 128 + the signal's number
        (130 for SIGINT, 143 for SIGTERM). A second signal ends it at once.

        The SDK's own handler wrote a STATE from inside whatever the writer was doing, and exited 0.
        """
        writer = self.message_writer
        if not isinstance(writer, BufferedMsgSpecWriter):
            super()._handle_termination(signum, frame)
            return
        self.logger.warning(
            "Stopping on %s: writing the records read so far and their STATE, then exiting %d.",
            signal.Signals(signum).name,
            128 + signum,
        )
        writer.stop(signum, lambda: self._state_writer.write_state(self.state))

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        # What the imports made lives until the process ends: frozen, no garbage collection
        # walks it again, during the sync or at exit (where that walk took 0.13 s of a run).
        gc.freeze()
        # A page that has arrived waits for the GIL before its thread reads it, holding its
        # pool slot; the default 5 ms switch interval, with the main thread writing records,
        # kept every request about 4 ms longer in NetSuite's pool.
        sys.setswitchinterval(0.001)
        with _expected_failures_exit_cleanly(cls):
            state = kwargs.get("state")
            if state is not None:  # read here, so that a file that is not JSON is one clear line
                text = state.read()
                name = getattr(state, "name", None)
                source = f"file {name!r}" if name else "given"
                kwargs["state"] = io.StringIO(json.dumps(settings.parsed_state(text, source)))
            super().invoke(*args, **kwargs)

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, with `--test` described as what it does here."""
        command = super().get_singer_command()
        for option in command.params:
            if "--test" in option.opts and isinstance(option, click.Option):
                option.help = TEST_HELP
        return command

    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """`--test`: a tiny request per selected stream and a diagnosis, instead of a dry-run sync."""
        if value != CliTestOptionValue.All.value:
            super().cb_test(ctx, param, value)
            return
        with _expected_failures_exit_cleanly(cls):
            config = ctx.params.get("config")
            given = ctx.params.get("catalog")
            tap = cls(
                config=config.config if config else None,
                # The streams a run would read, without discovery's requests before the diagnosis.
                catalog=json.loads(Path(given).read_text()) if isinstance(given, str) else given or default_catalog(),
                parse_env_config=bool(config and config.parse_env),
                validate_config=True,
            )
            selected = [stream for stream in tap.streams.values() if stream.selected]
            ok, lines = diagnose.report(
                tap.client, selected, more=lambda: governance.report(tap.client, tap.config.get("max_concurrency"))
            )
        for line in lines:
            print(line, file=sys.stderr if not ok else sys.stdout)
        ctx.exit(0 if ok else 1)


def _drop_sdk_failure_preface(record: logging.LogRecord) -> bool:
    """The SDK logs "An unhandled error occurred while syncing '<stream>'" before any failure; the
    failure's own line follows (or its traceback, for one unforeseen), so a failure is one line."""
    return record.msg != "An unhandled error occurred while syncing '%s'"


def _has_bookmark(state: dict) -> bool:
    """Whether a stream's state holds a bookmark, in itself or in any partition."""
    partitions = state.get("partitions") or []
    return bool(state.get("replication_key_value") or any(p.get("replication_key_value") for p in partitions))


def default_catalog(streams: t.Iterable[str] | None = None) -> dict:
    """A catalog of catalogued streams (by default those a run without a catalog reads), with their
    standard columns, all selected: made without a request (no custom fields, nothing probed)."""
    names = list(streams) if streams is not None else [table.stream for table in TABLES if table.selected_by_default]
    entries = []
    for name in names:
        table = entry_for(name)
        if table is None:
            msg = f"{name} is not a catalogued stream"
            raise NetSuiteConfigError(msg)
        entries.append(
            {
                "tap_stream_id": name,
                "stream": name,
                "schema": stream_schema(base_properties(table, schema_dir())),
                "key_properties": list(table.primary_keys),
                "replication_key": table.replication_key,
                "replication_method": "INCREMENTAL" if table.replication_key else "FULL_TABLE",
                "metadata": [{"breadcrumb": [], "metadata": {"selected": True}}],
            }
        )
    return {"streams": entries}


@contextlib.contextmanager
def _expected_failures_exit_cleanly(tap_class: type[TapNetSuite]) -> t.Iterator[None]:
    """A failure the user must fix ends the run with its message and exit 1, no traceback."""
    try:
        yield
    except NetSuiteError as exc:
        tap_class.logger.error("%s", exc)  # noqa: TRY400 - the message is the whole story
        sys.exit(1)


if __name__ == "__main__":
    TapNetSuite.cli()
