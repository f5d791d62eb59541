"""Transaction lines and accounting lines exactly once, through Meltano into PostgreSQL.

The warehouse's live lines are what `warehouse/transaction_lines.sql`'s views give over what the
tap loaded (README, "Transaction lines"); after every round they equal the emulator's
`GET /_emulator/rows/transactionline` (and `transactionaccountingline`) row for row and column
for column. Changes: line edits with and without the header moving, line removals (no
deletedrecord), transaction deletions, accounting-book edits, inserts, a background writer,
runs killed and resumed.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import pytest
from helpers import REPO, control
from postgres import Cluster
from test_exactly_once import expected, got
from test_randomized_sync import World, as_sent

from tap_netsuite.streams import schema_dir

VIEWS = REPO / "warehouse" / "transaction_lines.sql"
KEYS = {
    "transactionline": ("transaction", "id"),
    "transactionaccountingline": ("transaction", "transactionline", "accountingbook"),
    "nexttransactionlinelink": ("previousdoc", "previousline", "nextdoc", "nextline"),
}
# The columns NetSuite has (the emulator's), each stream's schema less the tap's own changed_at.
PROPERTIES = {
    stream: {
        name: prop
        for name, prop in json.loads((schema_dir() / f"{stream}.json").read_text())["properties"].items()
        if name != "changed_at"
    }
    for stream in KEYS
}
# transactionline's custom fields come from discovery, typed as `customfield` says (Free-Form
# Text: a string; Percent: a number).
PROPERTIES["transactionline"].update(
    custcol_cost_code={"type": ["string", "null"]}, custcol_discount_pct={"type": ["number", "null"]}
)


class LineWorld(World):
    """An emulator, a warehouse and Meltano, with the line views and the account's line controls."""

    def rows(self, table: str) -> list[dict]:
        return control(self.config, "GET", f"/_emulator/rows/{table}")

    def live(self, stream: str) -> dict[tuple, dict]:
        """The warehouse's live rows of a stream, through the documented view, by key."""
        columns = list(PROPERTIES[stream])
        quoted = ", ".join(f'"{c}"' for c in columns)
        with self.cluster.connect(self.database) as conn:
            conn.execute(VIEWS.read_text())
            found = conn.execute(f"SELECT {quoted} FROM netsuite.{stream}_live").fetchall()
        held: dict[tuple, dict] = {}
        for values in found:
            row = dict(zip(columns, values, strict=True))
            key = tuple(row[k] for k in KEYS[stream])
            assert key not in held, f"{stream}: key {key} twice in the live view"
            held[key] = row
        return held

    def raw_keys(self, stream: str) -> set[tuple]:
        quoted = ", ".join(f'"{c}"' for c in KEYS[stream])
        with self.cluster.connect(self.database) as conn:
            return {tuple(r) for r in conn.execute(f"SELECT {quoted} FROM netsuite.{stream}").fetchall()}

    def check(self) -> dict[str, int]:
        """The live views equal the emulator's rows, key for key and column for column."""
        sizes = {}
        for stream, key_columns in KEYS.items():
            truth = {tuple(r[k] for k in key_columns): r for r in self.rows(stream)}
            held = self.live(stream)
            missing, extra = sorted(set(truth) - set(held)), sorted(set(held) - set(truth))
            assert not missing, f"{stream}: {len(missing)} live rows missing from the warehouse, e.g. {missing[:5]}"
            assert not extra, f"{stream}: {len(extra)} rows the account no longer has, e.g. {extra[:5]}"
            wrong = []
            for key, want in truth.items():
                for column, prop in PROPERTIES[stream].items():
                    a = got(as_sent(held[key][column], prop), prop)
                    b = expected(want.get(column), prop, self.zone)
                    if a != b:
                        wrong.append(f"{stream} {key}.{column}: warehouse {a!r}, emulator {b!r}")
            assert not wrong, f"{len(wrong)} differing values, first ones:\n" + "\n".join(wrong[:15])
            sizes[stream] = len(truth)
        return sizes

    def extracted(self, transactions: set[int]) -> dict[tuple, object]:
        """When the tap last extracted each line of these transactions (target-postgres's metadata)."""
        with self.cluster.connect(self.database) as conn:
            found = conn.execute(
                'SELECT "transaction", id, _sdc_extracted_at FROM netsuite.transactionline '
                'WHERE "transaction" = ANY(%s)',
                (sorted(transactions),),
            ).fetchall()
        return {(t, i): at for t, i, at in found}

    def line_requests(self) -> dict[str, int]:
        """The SuiteQL requests of the last run that read line tables, per stream (the link
        streams' header pages are not told apart from the transaction stream's: left out)."""
        metrics = control(self.config, "GET", "/_emulator/metrics")
        counts = dict.fromkeys((*KEYS, "transactionline_set", "previoustransactionlinelink"), 0)
        for query in metrics["queries"]:
            q = query["q"]
            if "JOIN transactionline l" in q or "'assemblybuild'" in q:
                counts["transactionline_set"] += 1
            elif "FROM transactionaccountingline" in q:
                counts["transactionaccountingline"] += 1
            elif "FROM transactionline" in q:
                counts["transactionline"] += 1
            for link in ("nexttransactionlinelink", "previoustransactionlinelink"):
                counts[link] += f"FROM {link}" in q
        return counts

    def item_lines(self) -> list[dict]:
        return [r for r in self.rows("transactionline") if not r["mainline"]]


def new_world(cluster: Cluster, tmp: Path, seed: int) -> LineWorld:
    return LineWorld(cluster, tmp, "America/Los_Angeles", seed)


def test_line_edits_removals_deletions_and_book_changes_reach_the_live_views(cluster):
    with tempfile.TemporaryDirectory(prefix="tap-netsuite-lines-") as tmp:
        world = new_world(cluster, Path(tmp), seed=11)

        def accounting_reads() -> set[str]:
            """How the last run's pages of accounting lines were ordered (plan queries aside)."""
            queries = control(world.config, "GET", "/_emulator/metrics")["queries"]
            return {
                "key order"
                if q["q"].endswith("ORDER BY a.transaction, a.transactionline, a.accountingbook")
                else "changed_at"
                if "ORDER BY TO_CHAR(CASE WHEN" in q["q"]
                else q["q"]
                for q in queries
                if "FROM transactionaccountingline a JOIN" in q["q"] and "ROW_NUMBER" not in q["q"]
            }

        try:
            world.meltano_run(None)
            first = world.check()
            # The first sync reads accounting lines in key order (an index NetSuite has), not by
            # changed_at (a join sorted by an expression for every page); later runs by changed_at.
            assert accounting_reads() == {"key order"}, accounting_reads()
            nulls = [r for r in world.rows("transactionaccountingline") if r["lastmodifieddate"] is None]
            assert nulls, "the data set has no accounting line from before 2023.1"
            rng = random.Random(11)
            headers = {r["id"]: r for r in world.rows("transaction")}
            lines = world.item_lines()

            # Line edits the header does not show.
            quiet = rng.sample(lines, 5)
            world.post(
                "/_emulator/update",
                {
                    "table": "transactionline",
                    "ids": [r["uniquekey"] for r in quiet],
                    "set": {"memo": "fulfilled"},
                    "header": False,
                },
            )
            moved = {r["id"]: r["lastmodifieddate"] for r in world.rows("transaction")}
            for line in quiet:
                assert moved[line["transaction"]] == headers[line["transaction"]]["lastmodifieddate"], (
                    "the emulator moved a header on a header-less line edit"
                )
            # Accounting lines changed under an old time of their own (as rows from before 2023.1
            # change, their lastmodifieddate NULL or old), then a header edit without line edits
            # of each of their transactions: they must come with their transaction.
            stale = world.post(
                "/_emulator/update",
                {
                    "table": "transactionaccountingline",
                    "count": 5,
                    "at": "2021-06-01T00:00:00+00:00",
                    "set": {"account": 6},
                },
            )["ids"]
            edited_headers = sorted({t for t, *_ in stale})
            world.post("/_emulator/update", {"table": "transaction", "ids": edited_headers, "set": {"memo": "edited"}})
            kept = set(edited_headers)
            untouched = kept - {r["transaction"] for r in quiet}  # headers edited, lines not
            extracted_before = world.extracted(untouched)
            assert any(line > 0 for _, line in extracted_before), "no item line to watch"
            # Lines removed from their transactions; whole transactions deleted.
            removed = rng.sample([r for r in lines if r["transaction"] not in kept], 3)
            world.post("/_emulator/delete", {"table": "transactionline", "ids": [r["uniquekey"] for r in removed]})
            gone = rng.sample(sorted({r["transaction"] for r in lines} - {r["transaction"] for r in removed} - kept), 2)
            world.post("/_emulator/delete", {"table": "transaction", "ids": gone})
            # Accounting lines edited in whichever books (NULL-dated ones among them).
            edited = world.post(
                "/_emulator/update", {"table": "transactionaccountingline", "count": 40, "set": {"account": 7}}
            )["ids"]
            assert {book for *_, book in edited} == {1, 2}, f"the edit missed a book: {edited}"
            # New lines (one without the header moving) and new transactions.
            host = rng.choice(sorted(headers.keys() - set(gone)))
            world.post("/_emulator/insert", {"table": "transactionline", "rows": [{"transaction": host}]})
            world.post(
                "/_emulator/insert", {"table": "transactionline", "rows": [{"transaction": host}], "header": False}
            )
            world.post("/_emulator/insert", {"table": "transaction", "count": 2, "type": "VendBill"})

            world.meltano_run(None)
            requests = world.line_requests()
            assert accounting_reads() == {"changed_at"}, accounting_reads()
            second = world.check()
            # A header edit without line edits re-sends the main line (NetSuite moves it with the
            # header), not the item lines: they did not change (README, Transaction lines).
            extracted_after = world.extracted(untouched)
            resent = {key for key in extracted_before if extracted_after[key] != extracted_before[key]}
            assert resent == {key for key in extracted_before if key[1] == 0}, sorted(resent)
            raw = world.raw_keys("transactionline")
            for line in removed:
                key = (line["transaction"], line["id"])
                assert key in raw, f"removed line {key} was never loaded: the view proved nothing"
            assert any(k[0] in gone for k in raw), "the deleted transactions' lines were never loaded"
            # A handful of requests per stream, not a re-read (the first sync took hundreds).
            assert all(0 < n <= 6 for n in requests.values()), f"the incremental run's requests: {requests}"
            print(
                f"\nlive rows after the first sync {first}, after the changes {second}; "
                f"incremental run's SuiteQL requests on line tables: {requests}"
            )
        except BaseException:
            print(world.log.read_text()[-6000:] if world.log.exists() else "no Meltano log")
            raise
        finally:
            world.close()


# -- seeded, randomised rounds ------------------------------------------------------------------
OLD = "2021-06-01T00:00:00+00:00"  # a change time long before any bookmark


def change(world: LineWorld, rng: random.Random, op: str, n: int, number: int) -> None:
    """One change of the account's lines, on `n` rows chosen by `rng`."""
    lines = world.item_lines()
    transactions = sorted({r["transaction"] for r in world.rows("transactionline")})
    if op in ("line-edit-quiet", "line-edit"):  # a fulfilment-like change, or a user's edit
        chosen = rng.sample(lines, min(n, len(lines)))
        world.post(
            "/_emulator/update",
            {
                "table": "transactionline",
                "ids": [r["uniquekey"] for r in chosen],
                "set": {"memo": f"{op} {number}", "isclosed": rng.random() < 0.5},
                "header": op == "line-edit",
            },
        )
    elif op == "header-edit":
        world.post(
            "/_emulator/update",
            {"table": "transaction", "ids": rng.sample(transactions, n), "set": {"memo": f"header {number}"}},
        )
    elif op == "line-delete":
        chosen = rng.sample(lines, min(n, len(lines)))
        world.post("/_emulator/delete", {"table": "transactionline", "ids": [r["uniquekey"] for r in chosen]})
    elif op == "transaction-delete":
        world.post("/_emulator/delete", {"table": "transaction", "ids": rng.sample(transactions, n)})
    elif op == "book-edit":
        world.post(
            "/_emulator/update",
            {"table": "transactionaccountingline", "count": n * 3, "set": {"credit": round(rng.random() * 100, 2)}},
        )
    elif op == "book-edit-with-its-transaction":  # an old row changed, seen through its transaction
        stale = world.post(
            "/_emulator/update",
            {"table": "transactionaccountingline", "count": n, "at": OLD, "set": {"debit": number}},
        )["ids"]
        world.post(
            "/_emulator/update",
            {"table": "transaction", "ids": sorted({t for t, *_ in stale}), "set": {"memo": f"books {number}"}},
        )
    elif op in ("line-insert", "line-insert-quiet"):
        rows = [{"transaction": rng.choice(transactions)} for _ in range(n)]
        world.post("/_emulator/insert", {"table": "transactionline", "rows": rows, "header": op == "line-insert"})
    elif op == "transaction-insert":
        kind = rng.choice(["CustInvc", "VendBill", "Journal", "CustPymt", "SalesOrd"])
        world.post("/_emulator/insert", {"table": "transaction", "count": n, "type": kind})
    else:
        raise AssertionError(op)


OPS = (
    "line-edit-quiet",
    "line-edit",
    "header-edit",
    "line-delete",
    "transaction-delete",
    "book-edit",
    "book-edit-with-its-transaction",
    "line-insert",
    "line-insert-quiet",
    "transaction-insert",
)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [5, 23])
def test_seeded_rounds_with_a_writer_and_kills_keep_the_live_lines_equal_to_the_account(cluster, seed):
    rng = random.Random(seed)
    rounds = 5
    kills = {1, rng.choice([2, 4])}  # rounds killed mid-sync, then resumed
    writer_round = 3  # a background writer changes transactions during the sync
    with tempfile.TemporaryDirectory(prefix="tap-netsuite-line-rounds-") as tmp:
        world = new_world(cluster, Path(tmp), seed=seed)
        try:
            world.meltano_run(None)
            world.check()
            number = 0
            for night in range(rounds):
                ops = [(rng.choice(OPS), rng.randint(1, 8)) for _ in range(rng.randint(3, 7))]
                for op, n in ops:
                    number += 1
                    change(world, rng, op, n, number)
                endings = []
                if night == writer_round:
                    world.post("/_emulator/writer", {"rate_per_second": 4, "seconds": 120})
                if night in kills:
                    endings.append(
                        world.meltano_run((rng.choice(["SIGKILL-all", "SIGTERM-meltano"]), rng.randint(3, 40)))
                    )
                endings.append(world.meltano_run(None))
                if night == writer_round:
                    written = world.post("/_emulator/writer", {"stop": True})
                    assert written["updated"] or written["inserted"], "the writer wrote nothing during the sync"
                    endings.append(world.meltano_run(None))  # what it wrote after the sync read past it
                sizes = world.check()
                print(f"\nseed {seed} round {night}: {ops} -> {endings}; live {sizes}")
        except BaseException:
            print(world.log.read_text()[-6000:] if world.log.exists() else "no Meltano log")
            raise
        finally:
            world.close()
