"""The emulator over a real socket: NetSuite's shapes, auth refusals, SuiteQL and the controls.

Requests are signed with oauthlib's client (never with tap code), so these tests check the
emulator against an OAuth implementation other than its own.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests
from helpers import (
    EMULATOR_ARGS,
    PREFIX,
    SUITEQL,
    TS,
    bad_request_body,
    control,
    items,
    post,
    rows,
    running_emulator,
)

LA = ZoneInfo("America/Los_Angeles")
INVALID_LOGIN_BODY = (
    '{"type":"https:\\/\\/www.rfc-editor.org\\/rfc\\/rfc9110.html#section-15.5.2",'
    '"title":"Unauthorized","status":401,"o:errorDetails":[{"detail":"Invalid login attempt. '
    "For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users\\/Roles > "
    'User Management > View Login Audit Trail.","o:errorCode":"INVALID_LOGIN"}]}'
)


def all_items(config: dict, q: str, limit: int = 1000) -> list[dict]:
    """Follow `next` links by offset until hasMore is false."""
    out, offset = [], 0
    while True:
        body = post(config, q, limit=limit, offset=offset).json()
        out += body["items"]
        if not body["hasMore"]:
            return out
        offset += limit


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def local_text(iso: str, zone: ZoneInfo = LA) -> str:
    return utc(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def m_d_yyyy(moment: datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year}"


@pytest.fixture
def small_emulator(tmp_path):
    """A private emulator that tests may change (touch) without disturbing the shared one."""
    with running_emulator(tmp_path, customers=20, invoices=60) as config:
        yield config


# -- response shape ---------------------------------------------------------------------------
def test_response_has_netsuites_exact_shape(emulator):
    resp = post(emulator, "SELECT id, companyname, email, isinactive FROM customer ORDER BY id", limit=50, offset=0)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/vnd.oracle.resource+json; type=collection"
    raw = resp.content.decode("utf-8")
    assert raw.startswith('{"links":[{"rel":"next","href":"http:\\/\\/')
    assert "/" not in raw.replace("\\/", "")
    top = json.loads(raw, object_pairs_hook=lambda pairs: pairs)
    assert [k for k, _ in top] == ["links", "count", "hasMore", "items", "offset", "totalResults"]
    body = resp.json()
    base = emulator["base_url"] + SUITEQL
    assert body["links"] == [
        {"rel": "next", "href": f"{base}?limit=50&offset=50"},
        {"rel": "self", "href": f"{base}?limit=50&offset=0"},
    ]
    assert (body["count"], body["hasMore"], body["offset"]) == (50, True, 0)
    assert body["totalResults"] == EMULATOR_ARGS["customers"]
    assert raw.count('{"links":[],"id":"') == 50
    truth = {r["id"]: r for r in rows(emulator, "customer")}
    for item in body["items"]:
        assert next(iter(item)) == "links" and item["links"] == []
        values = {k: v for k, v in item.items() if k != "links"}
        assert all(isinstance(v, str) for v in values.values())
        source = truth[int(item["id"])]
        assert item["isinactive"] == ("T" if source["isinactive"] else "F")
        assert ("email" in item) == (source["email"] is not None)  # NULL keys are left out
    assert any("email" not in item for item in body["items"])


def test_last_page_has_only_self_link(emulator):
    body = post(emulator, "SELECT id FROM customer ORDER BY id", limit=100, offset=100).json()
    assert body["hasMore"] is False and body["count"] == EMULATOR_ARGS["customers"] - 100
    assert [link["rel"] for link in body["links"]] == ["self"]


def test_keys_are_lower_case_and_unaliased_expressions_are_numbered(emulator):
    got = items(
        emulator, "SELECT ID, CompanyName AS Name, UPPER(entityid), LOWER(entityid) FROM Customer WHERE ROWNUM <= 1"
    )
    assert list(got[0]) == ["links", "id", "name", "expr1", "expr2"]


def test_trunc_of_numbers_goes_toward_zero(emulator):
    got = items(
        emulator,
        "SELECT TRUNC(-7.5) AS a, TRUNC(7.9) AS b, TRUNC(3) AS c, TRUNC(id / 100000000) AS d, "
        "TRUNC(7.456, 2) AS e FROM customer WHERE ROWNUM <= 1",
    )
    assert {k: v for k, v in got[0].items() if k != "links"} == {"a": "-7", "b": "7", "c": "3", "d": "0", "e": "7.45"}


def test_unknown_route_is_404_in_netsuite_shape(emulator):
    with requests.get(emulator["base_url"] + "/nowhere", timeout=10) as resp:
        assert resp.status_code == 404
        assert resp.headers["Content-Type"] == "application/vnd.oracle.resource+json; type=error"
        assert resp.json()["o:errorDetails"][0]["detail"]


# -- paging -----------------------------------------------------------------------------------
INVOICES_BY_MODIFIED = (
    "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lm "
    "FROM transaction WHERE type = 'CustInvc' ORDER BY lastmodifieddate, id"
)


def test_pages_concatenate_to_the_whole_ordered_result(emulator):
    big = all_items(emulator, INVOICES_BY_MODIFIED, limit=1000)
    small = all_items(emulator, INVOICES_BY_MODIFIED, limit=250)
    assert big == small
    assert len(big) == EMULATOR_ARGS["invoices"] == len({i["id"] for i in big})
    truth = sorted(
        (r for r in rows(emulator, "transaction") if r["type"] == "CustInvc"),
        key=lambda r: (r["lastmodifieddate"], r["id"]),
    )
    assert [int(i["id"]) for i in big] == [r["id"] for r in truth]
    assert [i["lm"] for i in big] == [local_text(r["lastmodifieddate"]) for r in truth]
    body = post(emulator, INVOICES_BY_MODIFIED, limit=1000, offset=2000).json()
    assert (body["count"], body["hasMore"], body["totalResults"]) == (500, False, 2500)


def test_order_by_to_char_matches_order_by_column(emulator):
    # Only before the first fall-back night of the generated history: in the repeated hour the
    # local text of a later instant can sort before an earlier one, in NetSuite as here.
    before = f"lastmodifieddate < TO_TIMESTAMP('2023-11-01 00:00:00', '{TS}')"
    by_text = items(
        emulator,
        f"SELECT id FROM transaction WHERE type = 'CustInvc' AND {before} "
        f"ORDER BY TO_CHAR(lastmodifieddate, '{TS}'), id",
        limit=1000,
    )
    by_column = items(emulator, INVOICES_BY_MODIFIED.replace("ORDER BY", f"AND {before} ORDER BY"), limit=1000)
    assert len(by_column) > 100
    assert [i["id"] for i in by_text] == [i["id"] for i in by_column]


def test_limit_over_1000_is_refused(emulator):
    resp = post(emulator, "SELECT id FROM customer", limit=1001)
    assert resp.status_code == 400
    assert resp.headers["Content-Type"] == "application/vnd.oracle.resource+json; type=error"
    detail = resp.json()["o:errorDetails"][0]
    assert (detail["o:errorCode"], detail["o:errorQueryParam"]) == ("INVALID_PARAMETER", "limit")


def test_offset_past_100000_is_refused(emulator):
    assert post(emulator, "SELECT id FROM customer", limit=1000, offset=99000).status_code == 200
    resp = post(emulator, "SELECT id FROM customer", limit=1000, offset=100000)
    assert resp.status_code == 400
    assert resp.json()["o:errorDetails"][0]["o:errorQueryParam"] == "offset"


# -- authentication ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "override",
    [
        {"consumer_secret": "0" * 64},
        {"realm": "1234567_sb1"},
        {"realm": "1234567-SB1"},
        {"timestamp": str(int(time.time()) - 600)},
    ],
    ids=["consumer-secret", "lower-case-realm", "dashed-realm", "stale-timestamp"],
)
def test_bad_signatures_are_invalid_login(emulator, override):
    resp = post(emulator, "SELECT id FROM customer", limit=5, **override)
    assert resp.status_code == 401
    assert resp.headers["Content-Type"] == "application/vnd.oracle.resource+json; type=error"
    assert resp.content.decode() == INVALID_LOGIN_BODY


def test_a_nonce_is_accepted_once(emulator):
    once = {"nonce": uuid.uuid4().hex, "timestamp": str(int(time.time()))}
    assert post(emulator, "SELECT id FROM customer", limit=5, **once).status_code == 200
    again = post(emulator, "SELECT id FROM customer", limit=5, **once)
    assert again.status_code == 401 and again.content.decode() == INVALID_LOGIN_BODY


def test_query_parameters_are_signed(emulator):
    resp = post(emulator, "SELECT id FROM customer", limit=5)
    tampered = resp.request.url.replace("limit=5", "limit=6")
    with requests.post(tampered, headers=resp.request.headers, data=resp.request.body, timeout=10) as again:
        assert again.status_code == 401


# -- SuiteQL errors ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            "SELECT balance FROM customer",
            "Search error occurred: Unknown identifier 'balance'. Available identifiers are: {customer=customer}.",
        ),
        (
            "SELECT c.id, t.nope FROM customer c JOIN transaction t ON t.entity = c.id",
            "Search error occurred: Unknown identifier 't.nope'. "
            "Available identifiers are: {c=customer, t=transaction}.",
        ),
        ("SELECT id FROM invoices", "Invalid search type: invoices."),
        ("SELECT id FROM customer WHERE", "Search error occurred: Invalid or unsupported search."),
        ("SELECT LENGTH(companyname) FROM customer", "Search error occurred: Invalid or unsupported search."),
        ("SELECT CAST(id AS VARCHAR(10)) FROM customer", "Search error occurred: Invalid or unsupported search."),
    ],
    ids=["unknown-column", "unknown-column-join", "unknown-table", "syntax", "function", "cast"],
)
def test_bad_queries_answer_netsuites_400(emulator, query, detail):
    resp = post(emulator, query)
    assert resp.status_code == 400
    assert resp.headers["Content-Type"] == "application/vnd.oracle.resource+json; type=error"
    assert resp.content.decode() == bad_request_body(PREFIX + detail)


# -- dates, times and time zones --------------------------------------------------------------
def _invoice_near_midnight_utc(config: dict) -> dict:
    """An invoice modified between 00:00 and 07:00 UTC: its LA date is the day before."""
    return next(
        r for r in rows(config, "transaction") if r["type"] == "CustInvc" and utc(r["lastmodifieddate"]).hour < 7
    )


def test_to_char_renders_account_local_time(emulator):
    row = _invoice_near_midnight_utc(emulator)
    got = items(
        emulator,
        f"SELECT TO_CHAR(lastmodifieddate, '{TS}') AS lm, "
        "TO_CHAR(lastmodifieddate, 'MM/DD/YYYY HH:MI:SS AM') AS twelve, "
        "lastmodifieddate, trandate, TO_CHAR(trandate, 'YYYY-MM-DD') AS td "
        f"FROM transaction WHERE id = {row['id']}",
    )[0]
    local = utc(row["lastmodifieddate"]).astimezone(LA)
    assert got["lm"] == local.strftime("%Y-%m-%d %H:%M:%S") != row["lastmodifieddate"][:19]
    assert got["twelve"] == local.strftime("%m/%d/%Y %I:%M:%S %p")
    assert got["lastmodifieddate"] == m_d_yyyy(local)  # user format, date only, local date
    assert got["td"] == row["trandate"]
    assert got["trandate"] == m_d_yyyy(datetime.fromisoformat(row["trandate"]))


def test_to_timestamp_reads_literals_in_account_time(emulator):
    row = _invoice_near_midnight_utc(emulator)
    text = local_text(row["lastmodifieddate"])
    literal = f"TO_TIMESTAMP('{text}', '{TS}')"
    base = f"SELECT id FROM transaction WHERE id = {row['id']} AND lastmodifieddate"
    assert len(items(emulator, f"{base} >= {literal}")) == 1
    assert len(items(emulator, f"{base} = {literal}")) == 1
    assert items(emulator, f"{base} > {literal}") == []
    assert items(emulator, f"{base} < {literal}") == []
    # The same digits read as UTC would be a different instant.
    utc_text = row["lastmodifieddate"][:19].replace("T", " ")
    assert items(emulator, f"{base} = TO_TIMESTAMP('{utc_text}', '{TS}')") == []


def test_keyset_predicate_over_datetime_and_id(emulator):
    truth = sorted(
        (r for r in rows(emulator, "transaction") if r["type"] == "CustInvc"),
        key=lambda r: (r["lastmodifieddate"], r["id"]),
    )
    pivot = truth[len(truth) // 2]
    literal = f"TO_TIMESTAMP('{local_text(pivot['lastmodifieddate'])}', '{TS}')"
    q = (
        f"SELECT id FROM transaction WHERE type = 'CustInvc' AND (lastmodifieddate > {literal} "
        f"OR (lastmodifieddate = {literal} AND id > {pivot['id']})) "
        "ORDER BY lastmodifieddate, id"
    )
    expected = [r["id"] for r in truth if (r["lastmodifieddate"], r["id"]) > (pivot["lastmodifieddate"], pivot["id"])]
    assert [int(i["id"]) for i in all_items(emulator, q)] == expected


def test_sysdate_is_now_in_account_time(emulator):
    got = items(emulator, f"SELECT TO_CHAR(SYSDATE, '{TS}') AS now, TO_CHAR(CURRENT_DATE, '{TS}') AS today FROM DUAL")[
        0
    ]
    now = datetime.now(LA)
    seen = datetime.strptime(got["now"], "%Y-%m-%d %H:%M:%S")
    assert abs(seen - now.replace(tzinfo=None)) < timedelta(seconds=30)
    assert got["today"] == got["now"]  # one query reads the clock once
    future = items(emulator, "SELECT COUNT(*) AS n FROM transaction WHERE lastmodifieddate > SYSDATE")
    assert future == [{"links": [], "n": "0"}]


def test_user_date_format_time_zone_and_decimal_switches(tmp_path):
    with running_emulator(
        tmp_path,
        "--date-format",
        "D.M.YYYY",
        "--timezone",
        "UTC",
        "--no-decimal-leading-zero",
        customers=10,
        invoices=40,
    ) as config:
        truth = {r["id"]: r for r in rows(config, "transaction")}
        got = items(
            config,
            f"SELECT id, lastmodifieddate, TO_CHAR(lastmodifieddate, '{TS}') lm, "
            "foreigntotal FROM transaction WHERE foreigntotal < 1 OR id < 1040 "
            "ORDER BY id",
        )
        assert got
        for item in got:
            row = truth[int(item["id"])]
            moment = utc(row["lastmodifieddate"])
            assert item["lastmodifieddate"] == f"{moment.day}.{moment.month}.{moment.year}"
            assert item["lm"] == row["lastmodifieddate"][:19].replace("T", " ")
            expected = row["foreigntotal"].removeprefix("0")
            assert item["foreigntotal"] == expected


# -- functions --------------------------------------------------------------------------------
def test_builtin_df_gives_display_text(emulator):
    names = {r["id"]: r["companyname"] for r in rows(emulator, "customer")}
    got = items(
        emulator,
        "SELECT id, entity, status, BUILTIN.DF(status) AS st, "
        "BUILTIN.DF(entity) AS who, BUILTIN.DF(currency) AS cur, "
        "BUILTIN.CF(status) AS crit FROM transaction "
        "WHERE type = 'CustInvc' ORDER BY id",
        limit=200,
    )
    texts = {"A": "Open", "B": "Paid In Full"}
    assert {i["status"] for i in got} == {"A", "B"}
    for item in got:
        assert item["st"] == texts[item["status"]]
        assert item["who"] == names[int(item["entity"])]
        assert item["crit"] == f"CustInvc:{item['status']}"
        assert item["cur"] in {"US Dollar", "British pound", "Euro"}


def test_nvl_coalesce_case_substr_and_decode(emulator):
    got = items(
        emulator,
        "SELECT id, NVL(email, 'none') AS e, COALESCE(terms, 0) AS t, "
        "CASE WHEN isperson = 'T' THEN 'person' ELSE 'company' END AS kind, "
        "SUBSTR(entityid, 1, 4) AS pre, DECODE(isinactive, 'T', 1, 0) AS ina "
        "FROM customer ORDER BY id",
        limit=1000,
    )
    truth = {r["id"]: r for r in rows(emulator, "customer")}
    for item in got:
        row = truth[int(item["id"])]
        assert item["e"] == (row["email"] or "none")
        assert item["t"] == str(row["terms"] or 0)
        assert item["kind"] == ("person" if row["isperson"] else "company")
        assert item["pre"] == "CUST"
        assert item["ina"] == ("1" if row["isinactive"] else "0")


def test_group_by_count_min_max(emulator):
    got = items(
        emulator,
        "SELECT type, COUNT(*) AS n, MAX(lastmodifieddate) AS latest FROM transaction GROUP BY type ORDER BY type",
    )
    counts = {i["type"]: int(i["n"]) for i in got}
    assert counts["CustInvc"] == EMULATOR_ARGS["invoices"]
    assert set(counts) == {"CustInvc", "CustPymt", "SalesOrd", "CustCred", "VendBill", "Journal", "ItemShip"}
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", i["latest"]) for i in got)


def test_rownum_limits_rows_before_order_by(emulator):
    top = items(
        emulator,
        "SELECT * FROM (SELECT id, foreigntotal FROM transaction ORDER BY foreigntotal DESC, id) WHERE ROWNUM <= 3",
    )
    amounts = sorted((float(r["foreigntotal"]), r["id"]) for r in rows(emulator, "transaction"))
    assert [int(i["id"]) for i in top] == [i for _, i in sorted(amounts, key=lambda a: (-a[0], a[1]))[:3]]
    assert len(items(emulator, "SELECT id FROM customer WHERE ROWNUM <= 4 ORDER BY id")) == 4


def test_join_between_transaction_and_customer(emulator):
    got = items(
        emulator,
        "SELECT t.id, c.companyname FROM transaction t "
        "JOIN customer c ON c.id = t.entity WHERE t.type = 'CustInvc' "
        "ORDER BY t.id",
        limit=20,
    )
    names = {r["id"]: r["companyname"] for r in rows(emulator, "customer")}
    entity = {r["id"]: r["entity"] for r in rows(emulator, "transaction")}
    assert all(i["companyname"] == names[entity[int(i["id"])]] for i in got)


# -- controls and determinism -----------------------------------------------------------------
def test_touch_moves_records_into_a_since_filter(small_emulator):
    before = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=1)
    touched = control(
        small_emulator, "POST", "/_emulator/touch", {"table": "transaction", "count": 7, "type": "CustInvc"}
    )["ids"]
    assert len(touched) == 7 == len(set(touched))
    literal = before.astimezone(LA).strftime("%Y-%m-%d %H:%M:%S")
    got = items(
        small_emulator,
        f"SELECT id, type FROM transaction WHERE lastmodifieddate >= TO_TIMESTAMP('{literal}', '{TS}') ORDER BY id",
    )
    assert [int(i["id"]) for i in got] == touched
    assert {i["type"] for i in got} == {"CustInvc"}
    truth = {r["id"]: r for r in rows(small_emulator, "transaction")}
    assert all(utc(truth[i]["lastmodifieddate"]) >= before for i in touched)

    named = control(small_emulator, "POST", "/_emulator/touch", {"table": "customer", "ids": [touched[0], 999999]})
    assert named == {"ids": []}  # transaction ids are not customers; unknown ids are skipped
    first = rows(small_emulator, "customer")[0]["id"]
    assert control(small_emulator, "POST", "/_emulator/touch", {"table": "customer", "ids": [first]}) == {
        "ids": [first]
    }


def test_same_arguments_same_data_and_seed_matters(tmp_path):
    sizes = {"customers": 15, "invoices": 50}
    tables = []
    for n, seed in enumerate((3, 3, 4)):
        home = tmp_path / str(n)
        home.mkdir()
        with running_emulator(home, seed=seed, **sizes) as config:
            tables.append((rows(config, "customer"), rows(config, "transaction"), config))
    assert tables[0][:2] == tables[1][:2]
    assert tables[0][2]["consumer_secret"] == tables[1][2]["consumer_secret"]
    assert tables[0][:2] != tables[2][:2]


def test_rows_endpoint_gives_typed_canonical_values(emulator):
    customers, transactions = rows(emulator, "customer"), rows(emulator, "transaction")
    assert len(customers) == EMULATOR_ARGS["customers"]
    assert [c["id"] for c in customers] == sorted(c["id"] for c in customers)
    assert sum(t["type"] == "CustInvc" for t in transactions) == EMULATOR_ARGS["invoices"]
    ids = [c["id"] for c in customers]
    assert ids != list(range(ids[0], ids[0] + len(ids)))  # not contiguous, as in NetSuite
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
    for c in customers:
        assert isinstance(c["id"], int) and isinstance(c["isperson"], bool)
        assert stamp.fullmatch(c["lastmodifieddate"]) and stamp.fullmatch(c["datecreated"])
    assert any(c["parent"] is None for c in customers)
    assert any(c["parent"] is not None for c in customers)
    for t in transactions:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", t["trandate"])
        assert re.fullmatch(r"-?\d+(\.\d+)?", t["foreigntotal"])
        assert "2020-01-01" < t["lastmodifieddate"] < "2026-01-01"
    invoices = [t for t in transactions if t["type"] == "CustInvc"]
    assert any(t["foreigntotal"].startswith("0.") for t in invoices)
    assert all(t["duedate"] is not None for t in invoices)
    assert any(t["memo"] and "/" in t["memo"] for t in transactions)
    stamps = [t["lastmodifieddate"] for t in transactions]
    assert len(set(stamps)) < len(stamps)  # bulk edits share a second
    assert all(stamp >= emulator["start_date"].replace("Z", "+00:00") for stamp in stamps)
