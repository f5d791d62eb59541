"""The whole emulated account over a real socket: every table, custom fields, permissions, ties,
queries side by side, the control endpoints on every table with NetSuite's line semantics, and
the dialect refusals of docs/netsuite.md §10."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from helpers import PREFIX, TS, control, items, post, rows, start_emulator, stop_emulator
from test_emulator_features import signed

from netsuite_emulator import data, engine, lines, mutations, tables

UNSUPPORTED = PREFIX + "Search error occurred: Invalid or unsupported search."
USER_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")  # the default M/D/YYYY preference
NUMBER = re.compile(r"-?\d*\.?\d+")


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """A private account this module changes freely."""
    proc, config = start_emulator(tmp_path_factory.mktemp("account"), customers=40, invoices=300, seed=3)
    yield config
    stop_emulator(proc)


@contextmanager
def switched(config: dict, **switches):
    """Switches set for the block, and set back after it."""
    before = control(config, "GET", "/_emulator/config")
    control(config, "POST", "/_emulator/config", switches)
    try:
        yield
    finally:
        control(config, "POST", "/_emulator/config", {k: before[k] for k in switches})


def refused(config: dict, q: str) -> str:
    resp = post(config, q)
    assert resp.status_code == 400, resp.text
    return resp.json()["o:errorDetails"][0]["detail"]


def key_of(table: tables.Table, row: dict) -> tuple:
    return tuple(row[k] for k in table.key)


# -- every table ------------------------------------------------------------------------------
@pytest.mark.parametrize("table", [t.name for t in tables.DECLARED])
def test_every_table_answers_count_star_and_to_char(account, table):
    declared = tables.BY_NAME[table]
    truth = rows(account, table) if table != "dual" else [{"dummy": "X"}]
    assert truth, f"{table} is empty in the default account"
    assert items(account, f"SELECT COUNT(*) AS n FROM {table}") == [{"links": [], "n": str(len(truth))}]
    page = items(account, f"SELECT * FROM {table}", limit=5)
    assert len(page) == min(5, len(truth))
    assert set().union(*(set(p) for p in page)) <= {"links", *declared.all_columns}
    temporal = [c for c, k in declared.all_columns.items() if k in tables.TEMPORAL]
    if temporal:
        selected = ", ".join(f"TO_CHAR({c}, '{TS}') AS {c}" for c in temporal)
        got = items(account, f"SELECT {selected} FROM {table}", limit=50)
        for item in got:
            for column in temporal:
                assert column not in item or re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", item[column])


def test_every_reference_points_at_a_row_that_exists(account):
    keys = {t.name: {r[t.key[0]] for r in rows(account, t.name)} for t in tables.DECLARED if t.name != "dual"}
    checked = 0
    for declared in tables.DECLARED:
        if declared.name == "dual":
            continue
        multiple = {f.scriptid for f in declared.custom_fields if f.fieldvaluetype == "Multiple Select"}
        for row in rows(account, declared.name):
            for column, target in declared.all_references.items():
                value = row[column]
                if value is None:
                    continue
                values = [int(v) for v in value.split(",")] if column in multiple else [value]
                for one in values:
                    assert one in keys[target], f"{declared.name}.{column} = {one} has no {target} row"
                    checked += 1
    assert checked > 10_000


def test_the_account_is_oneworld_with_every_transaction_type_and_lines(account):
    types = {i["type"] for i in items(account, "SELECT DISTINCT type FROM transaction")}
    assert types == {"CustInvc", "SalesOrd", "CustPymt", "CustCred", "VendBill", "Journal", "ItemShip"}
    assert len(items(account, "SELECT id FROM subsidiary")) > 1
    both = items(
        account,
        "SELECT c.id, r.subsidiary FROM customer c JOIN customersubsidiaryrelationship r ON r.entity = c.id "
        "WHERE r.isprimarysub = 'T' AND r.subsidiary = c.subsidiary",
        limit=1000,
    )
    assert len(both) == len(rows(account, "customer"))
    shipped = items(account, "SELECT shipdate, taxtotal FROM transaction WHERE shipdate IS NOT NULL", limit=5)
    assert shipped and all(USER_DATE.fullmatch(i["shipdate"]) for i in shipped)
    lines = rows(account, "transactionline")
    assert len({line["uniquekey"] for line in lines}) == len(lines)
    accounting = rows(account, "transactionaccountingline")
    assert any(a["lastmodifieddate"] is None for a in accounting)  # older than 2023.1
    assert any(a["lastmodifieddate"] is not None for a in accounting)
    assert {a["accountingbook"] for a in accounting} == {1, 2}


# -- custom fields ----------------------------------------------------------------------------
def test_customfield_lists_every_fieldvaluetype_with_its_prefix(account):
    listed = items(account, "SELECT scriptid, fieldtype, fieldvaluetype FROM customfield ORDER BY id")
    assert {i["fieldvaluetype"] for i in listed} == set(tables.VALUE_KIND)
    prefixes = {i["scriptid"].split("_")[0] for i in listed}
    assert prefixes == {"CUSTBODY", "CUSTCOL", "CUSTENTITY", "CUSTITEM", "CUSTRECORD"}
    types = {f.scriptid.upper(): f.fieldtype for f in tables.CUSTOM_FIELDS}
    assert {i["scriptid"]: i["fieldtype"] for i in listed} == types


@pytest.mark.parametrize("field", tables.CUSTOM_FIELDS, ids=lambda f: f.scriptid)
def test_custom_field_renders_as_its_fieldvaluetype(account, field):
    table = tables.BY_NAME[field.tables[0]]
    key = table.handle or table.key[0]
    truth = {r[key]: r[field.scriptid] for r in rows(account, table.name) if r[field.scriptid] is not None}
    assert truth, f"no {field.scriptid} value generated"
    got = items(account, f"SELECT {key}, {field.scriptid} FROM {table.name} WHERE {field.scriptid} IS NOT NULL")
    rendered = {int(i[key]): i[field.scriptid] for i in got}
    assert set(rendered) <= set(truth)
    kind = field.fieldvaluetype
    for rid, text in rendered.items():
        value = truth[rid]
        if kind == "Check Box":
            assert text == ("T" if value else "F")
        elif kind in ("Date", "Date/Time"):  # the user's date format, a datetime as its date only
            assert USER_DATE.fullmatch(text), text
        elif kind in ("Integer Number", "List/Record"):
            assert text == str(value)
        elif kind == "Multiple Select":
            assert re.fullmatch(r"\d+(,\d+)*", text) and text == value
        elif kind in ("Currency", "Decimal Number", "Percent"):
            assert NUMBER.fullmatch(text) and float(text) == float(value)
        else:
            assert text == value
    if kind == "Date/Time":
        timed = items(account, f"SELECT TO_CHAR({field.scriptid}, '{TS}') AS t FROM {table.name}", limit=20)
        assert any(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", i.get("t", "")) for i in timed)


def test_custom_field_nulls_follow_the_nulls_switch(account):
    q = "SELECT id, custentity_notes FROM customer WHERE custentity_notes IS NULL"
    assert "custentity_notes" not in items(account, q, limit=1)[0]
    with switched(account, nulls="null"):
        assert items(account, q, limit=1)[0]["custentity_notes"] is None


def test_custom_records_and_lists(account):
    listed = items(account, "SELECT scriptid, internalid FROM customrecordtype ORDER BY internalid")
    assert [i["scriptid"].lower() for i in listed] == list(tables.CUSTOM_RECORD_TYPES)
    for scriptid in tables.CUSTOM_RECORD_TYPES:
        got = items(account, f"SELECT id, name, isinactive, TO_CHAR(lastmodified, '{TS}') AS lm FROM {scriptid}")
        assert got and all({"id", "name", "isinactive", "lm"} <= set(g) for g in got)
    assert items(account, "SELECT id, name, isinactive FROM customlist_segment WHERE id = 1")[0]["name"]


# -- permissions ------------------------------------------------------------------------------
def test_deny_column_refuses_exactly_that_column(account):
    with switched(account, deny_columns=["customer.email"]):
        detail = refused(account, "SELECT id, email FROM customer")
        assert "Unknown identifier 'email'" in detail
        star = items(account, "SELECT * FROM customer ORDER BY id", limit=3)
        assert all("email" not in s and "companyname" in s for s in star)
        assert items(account, "SELECT id, email FROM vendor", limit=1)  # another table's email
        assert items(account, "SELECT id, phone FROM customer", limit=1)
        catalog = signed(account, "GET", "/services/rest/record/v1/metadata-catalog/customer", content_type="")
        assert "email" not in catalog.json()["properties"] and "phone" in catalog.json()["properties"]
        rid = rows(account, "customer")[0]["id"]
        record = signed(account, "GET", f"/services/rest/record/v1/customer/{rid}", content_type="").json()
        assert "email" not in record and record["id"] == rid
    assert items(account, "SELECT id, email FROM customer", limit=1)


def test_deny_table_applies_to_suiteql_record_api_and_catalog(account):
    invoice = rows(account, "transaction")[0]["id"]
    rid = rows(account, "customer")[0]["id"]
    with switched(account, deny_tables=["customer"]):
        assert "Record 'customer' was not found." in refused(account, "SELECT id FROM customer")
        for path in ("metadata-catalog/customer", f"customer/{rid}"):
            resp = signed(account, "GET", f"/services/rest/record/v1/{path}", content_type="")
            assert (
                resp.status_code == 403 and resp.json()["o:errorDetails"][0]["o:errorCode"] == "INSUFFICIENT_PERMISSION"
            )
        assert items(account, "SELECT id FROM vendor", limit=1)
        ok = signed(account, "GET", f"/services/rest/record/v1/invoice/{invoice}", content_type="")
        assert ok.status_code in (200, 404)


def test_transactionline_has_no_record_or_catalog(account):
    resp = signed(account, "GET", "/services/rest/record/v1/metadata-catalog/transactionline", content_type="")
    assert resp.status_code == 400 and "'transactionline' does not exist" in resp.text
    assert signed(account, "GET", "/services/rest/record/v1/transactionline/1", content_type="").status_code == 404


def test_deny_flags_at_start(tmp_path):
    proc, config = start_emulator(
        tmp_path, "--deny-column", "transaction.memo", "--deny-table", "vendor", customers=5, invoices=10
    )
    try:
        assert "Unknown identifier 'memo'" in refused(config, "SELECT memo FROM transaction")
        assert "Record 'vendor' was not found." in refused(config, "SELECT id FROM vendor")
        assert items(config, "SELECT memo FROM transactionline", limit=1)
    finally:
        stop_emulator(proc)


# -- ties ---------------------------------------------------------------------------------------
TIED = "SELECT id FROM transaction ORDER BY type"  # 300+ rows share 'CustInvc'


def test_tied_rows_move_between_requests_by_default(account):
    orders = {tuple(i["id"] for i in items(account, TIED, limit=50)) for _ in range(4)}
    assert len(orders) > 1
    unique = {
        tuple(i["id"] for i in items(account, "SELECT id FROM transaction ORDER BY type, id", limit=50))
        for _ in range(3)
    }
    assert len(unique) == 1


def test_tied_rows_stay_put_with_stable_tie_order(account):
    with switched(account, tie_order="stable"):
        orders = {tuple(i["id"] for i in items(account, TIED, limit=50)) for _ in range(4)}
    assert len(orders) == 1


# -- side by side -----------------------------------------------------------------------------
def test_a_slow_query_does_not_delay_a_fast_one(account):
    slow_done = threading.Event()
    answers: dict = {}

    def slow():
        answers["slow"] = post(
            account,
            "SELECT COUNT(*) AS n FROM transactionline a, transactionline b, item c "
            "WHERE a.uniquekey + b.uniquekey + c.id < 0",
        )
        slow_done.set()

    worker = threading.Thread(target=slow, daemon=True)
    worker.start()
    # Wait (bounded) until the slow query is in flight, then ask a one-row query.
    for _ in range(200):
        if control(account, "GET", "/_emulator/metrics")["in_flight"] >= 1:
            break
        slow_done.wait(0.05)
    fast = items(account, "SELECT id FROM customer WHERE ROWNUM <= 1")
    assert fast and not slow_done.is_set(), "the one-row query waited for the slow one"
    worker.join(timeout=600)
    assert answers["slow"].status_code == 200


# -- the control endpoints on every table ---------------------------------------------------------
def _header(config: dict, tid: int) -> dict:
    return next(r for r in rows(config, "transaction") if r["id"] == tid)


def _line(config: dict, uniquekey: int) -> dict | None:
    return next((r for r in rows(config, "transactionline") if r["uniquekey"] == uniquekey), None)


def test_line_update_with_and_without_the_header(account):
    line = next(r for r in rows(account, "transactionline") if not r["mainline"])
    tid, before = line["transaction"], _header(account, line["transaction"])["lastmodifieddate"]
    at = "2026-11-01T08:30:00+00:00"
    assert control(
        account,
        "POST",
        "/_emulator/update",
        {
            "table": "transactionline",
            "ids": [line["uniquekey"]],
            "set": {"memo": "fulfilled"},
            "header": False,
            "at": at,
        },
    )["ids"] == [line["uniquekey"]]
    changed = _line(account, line["uniquekey"])
    assert changed["memo"] == "fulfilled" and changed["linelastmodifieddate"] == at
    assert _header(account, tid)["lastmodifieddate"] == before
    control(
        account, "POST", "/_emulator/touch", {"table": "transactionline", "ids": [line["uniquekey"]], "header": False}
    )
    assert _header(account, tid)["lastmodifieddate"] == before
    control(account, "POST", "/_emulator/touch", {"table": "transactionline", "ids": [line["uniquekey"]]})
    moved = _header(account, tid)["lastmodifieddate"]
    assert moved != before and moved == _line(account, line["uniquekey"])["linelastmodifieddate"]


def test_deleting_a_line_moves_the_header_and_records_nothing(account):
    line = next(r for r in rows(account, "transactionline") if not r["mainline"])
    tid, before = line["transaction"], "2025-06-01T00:00:00+00:00"
    control(account, "POST", "/_emulator/update", {"table": "transaction", "ids": [tid], "at": before})
    deleted_before = len(rows(account, "deletedrecord"))
    control(account, "POST", "/_emulator/delete", {"table": "transactionline", "ids": [line["uniquekey"]]})
    assert _line(account, line["uniquekey"]) is None
    assert not [
        a
        for a in rows(account, "transactionaccountingline")
        if (a["transaction"], a["transactionline"]) == (tid, line["id"])
    ]
    assert _header(account, tid)["lastmodifieddate"] != before
    assert len(rows(account, "deletedrecord")) == deleted_before


def test_deleting_a_transaction_deletes_its_lines_and_records_it(account):
    tid = control(account, "POST", "/_emulator/insert", {"table": "transaction", "type": "CustInvc", "count": 1})[
        "ids"
    ][0]
    assert [r for r in rows(account, "transactionline") if r["transaction"] == tid]
    control(account, "POST", "/_emulator/delete", {"table": "transaction", "ids": [tid]})
    assert not [r for r in rows(account, "transactionline") if r["transaction"] == tid]
    assert not [r for r in rows(account, "transactionaccountingline") if r["transaction"] == tid]
    gone = [d for d in rows(account, "deletedrecord") if d["recordid"] == tid]
    assert [(d["type"], d["context"]) for d in gone] == [("invoice", "Web Services")]


def _answer(declared: tables.Table, row: dict):
    return row[declared.handle] if declared.handle else [row[k] for k in declared.key]


@pytest.mark.parametrize("table", [t.name for t in tables.DECLARED if t.name not in ("dual", "transactionline")])
def test_control_endpoints_work_on_every_table(account, table):
    declared = tables.BY_NAME[table]
    before = rows(account, table)
    deleted_before = len(rows(account, "deletedrecord"))
    by_id = declared.handle is not None and declared.all_columns[declared.handle] == tables.INTEGER
    if by_id:
        new = control(account, "POST", "/_emulator/insert", {"table": table, "count": 1})["ids"]
        assert len(new) == 1 and new[0] not in {r[declared.handle] for r in before}
    else:  # keyed by text or by several columns: a copy of a row under a new key
        template = dict(before[0])
        for k in declared.key:
            if isinstance(template[k], str) and k != "deleteddate":
                template[k] += "X"
            elif isinstance(template[k], int) and k != "accountingbook":
                template[k] = max(r[k] for r in before) + 1
        new = control(account, "POST", "/_emulator/insert", {"table": table, "rows": [template]})["ids"]
        assert new == [_answer(declared, template)]
    assert len(rows(account, table)) == len(before) + 1
    target = {"ids": new} if declared.handle else {"count": 1}
    if declared.replication and declared.all_columns[declared.replication] == tables.DATETIME:
        at = "2026-11-02T10:00:00+00:00"
        touched = control(account, "POST", "/_emulator/update", {"table": table, "at": at, **target})["ids"]
        assert len(touched) == 1
        changed = [r for r in rows(account, table) if _answer(declared, r) == touched[0]]
        assert changed[0][declared.replication] == at
        if not declared.handle:
            target = {"count": 1}
    control(account, "POST", "/_emulator/delete", {"table": table, **target})
    assert len(rows(account, table)) == len(before)
    recorded = len(rows(account, "deletedrecord")) - deleted_before
    assert recorded == int(declared.deleted_type is not None)


def test_control_refuses_what_it_cannot_do(account):
    resp = requests.post(account["base_url"] + "/_emulator/update", json={"table": "nosuch", "count": 1}, timeout=30)
    assert resp.status_code == 400 and "nosuch" in resp.json()["error"]
    resp = requests.post(account["base_url"] + "/_emulator/touch", json={"table": "currency", "count": 1}, timeout=30)
    assert resp.status_code == 400 and "no modification time" in resp.json()["error"]
    resp = requests.post(
        account["base_url"] + "/_emulator/update", json={"table": "transactionaccountingline", "ids": [1]}, timeout=30
    )
    assert resp.status_code == 400 and "count" in resp.json()["error"]


# -- dialect ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "q",
    [
        "WITH c AS (SELECT id FROM customer) SELECT id FROM c",
        "SELECT id FROM customer WHERE id IN (" + ", ".join(str(n) for n in range(1001)) + ")",
        "SELECT id FROM transaction WHERE trandate > DATE '2024-01-01'",
        "SELECT id FROM transaction WHERE createddate > TIMESTAMP '2024-01-01 00:00:00'",
        "SELECT 'Name: ' + companyname FROM customer",
        "SELECT entityid + companyname FROM customer",
        "SELECT c.id FROM customer c, transaction t WHERE c.id = t.entity(+)",
        "SELECT id FROM customer ORDER BY id FETCH FIRST 5 ROWS ONLY",
    ],
)
def test_dialect_refusals(account, q):
    assert refused(account, q) == UNSUPPORTED


def test_dialect_what_is_accepted(account):
    assert len(items(account, "SELECT TOP 3 id FROM customer ORDER BY id")) == 3
    thousand = ", ".join(str(n) for n in range(1000))
    assert items(account, f"SELECT COUNT(*) AS n FROM customer WHERE id IN ({thousand})")
    assert items(account, "SELECT 'Name: ' || companyname AS n FROM customer", limit=1)[0]["n"].startswith("Name: ")
    ranked = items(account, "SELECT id, RANK() OVER (ORDER BY subsidiary) AS r FROM customer ORDER BY id", limit=5)
    assert all(NUMBER.fullmatch(i["r"]) for i in ranked)


def test_readme_lists_every_table_as_declared():
    readme = (Path(__file__).resolve().parent.parent / "netsuite_emulator" / "README.md").read_text()
    listed = readme.split("<!-- tables:start -->\n", 1)[1].split("<!-- tables:end -->", 1)[0]
    assert listed == tables.markdown(), "run `netsuite-emulator tables` and paste it into netsuite_emulator/README.md"


def test_a_reader_keeps_its_snapshot_while_the_writer_changes_rows():
    """The mechanism behind queries side by side: each request thread reads one snapshot per
    page from its own connection, whatever the writer commits meanwhile."""
    tz = ZoneInfo("America/Los_Angeles")
    conn = data.build_database(5, 20, 1, tz)
    lock = threading.Lock()
    settings = engine.Settings(tz)
    account = engine.Engine(conn, settings, lock)
    writer = mutations.Mutator(conn, lock, settings, 1, lines.LineShape(2, 24, 0))
    try:
        reader = account.reader()
        reader.execute("BEGIN")
        before = reader.execute('SELECT COUNT(*) FROM "transaction"').fetchone()[0]
        done = threading.Event()
        threading.Thread(
            target=lambda: (writer.insert({"table": "transaction", "count": 3}), done.set()), daemon=True
        ).start()
        assert done.wait(30), "the writer waited for the reader"
        assert reader.execute('SELECT COUNT(*) FROM "transaction"').fetchone()[0] == before
        reader.execute("COMMIT")
        assert reader.execute('SELECT COUNT(*) FROM "transaction"').fetchone()[0] == before + 3
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("kind", "table", "where"),
    [
        ("vendor", "vendor", lambda r: True),
        ("salesorder", "transaction", lambda r: r["type"] == "SalesOrd"),
        ("serviceitem", "item", lambda r: r["itemtype"] == "Service"),
        ("account", "account", lambda r: True),
        ("customrecord_contract", "customrecord_contract", lambda r: True),
    ],
)
def test_record_api_answers_for_other_record_types(account, kind, table, where):
    row = next(r for r in rows(account, table) if where(r))
    catalog = signed(account, "GET", f"/services/rest/record/v1/metadata-catalog/{kind}", content_type="")
    assert catalog.status_code == 200, catalog.text
    properties = catalog.json()["properties"]
    assert properties["lastModified" if table.startswith("customrecord") else "id"]
    assert all(p.get("x-ns-custom-field") for name, p in properties.items() if name.startswith("cust"))
    got = signed(account, "GET", f"/services/rest/record/v1/{kind}/{row['id']}", content_type="")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == row["id"] and set(body) - {"links"} <= set(properties)
    modified = "lastmodified" if table.startswith("customrecord") else "lastmodifieddate"
    if row.get(modified):
        assert body["lastModified" if modified == "lastmodified" else "lastModifiedDate"] == row[modified].replace(
            "+00:00", "Z"
        )
    wrong = next((r for r in rows(account, table) if not where(r)), None)
    if wrong is not None:  # another type's row is not this record type's
        assert (
            signed(account, "GET", f"/services/rest/record/v1/{kind}/{wrong['id']}", content_type="").status_code == 404
        )
