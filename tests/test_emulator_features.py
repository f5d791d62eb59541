"""The emulator's second version over a real socket: switches, new tables, changing data,
governance, faults, OAuth 2.0, the record API, RESTlets and an independent OAuth 1.0a client."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from authlib.integrations.requests_client import OAuth1Auth
from authlib.oauth1.rfc5849 import signature as authlib_signature
from authlib.oauth1.rfc5849.client_auth import ClientAuth
from authlib.oauth1.rfc5849.util import escape
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from helpers import (
    PREFIX,
    TS,
    bad_request_body,
    control,
    items,
    post,
    rows,
    running_emulator,
)
from oauthlib import oauth1

RESTLET = "/app/site/hosting/restlet.nl"
TOKEN = "/services/rest/auth/oauth2/v1/token"


@pytest.fixture
def emu(tmp_path, request):
    """A private emulator; extra CLI flags come from `@pytest.mark.parametrize('emu', ...)`."""
    extra = getattr(request, "param", ())
    with running_emulator(tmp_path, *extra, customers=20, invoices=60) as config:
        yield config


def raw(config: dict, method: str, path: str, **kw) -> requests.Response:
    with requests.request(method, config["base_url"] + path, timeout=30, **kw) as resp:
        resp.content  # noqa: B018
        return resp


def signed(
    config: dict, method: str, path: str, content_type: str = "application/json", body: bytes | None = None
) -> requests.Response:
    client = oauth1.Client(
        config["consumer_key"],
        client_secret=config["consumer_secret"],
        resource_owner_key=config["token_id"],
        resource_owner_secret=config["token_secret"],
        signature_method=oauth1.SIGNATURE_HMAC_SHA256,
        realm=config["account_id"],
    )
    uri, headers, _ = client.sign(config["base_url"] + path, http_method=method)
    if content_type:
        headers["Content-Type"] = content_type
    with requests.request(method, uri, headers=headers, data=body, timeout=30) as resp:
        resp.content  # noqa: B018
        return resp


# -- 1. switches ------------------------------------------------------------------------------
@pytest.mark.parametrize("emu", [("--subsecond", "--nulls", "null", "--links", "all")], indirect=True)
def test_subsecond_nulls_and_all_links(emu):
    stamps = [r["lastmodifieddate"] for r in rows(emu, "transaction")]
    assert any("." in s for s in stamps)  # fractions stored
    got = items(
        emu,
        f"SELECT id, email, TO_CHAR(lastmodifieddate, '{TS}') lm, "
        "TO_CHAR(lastmodifieddate, 'HH24:MI:SS.FF3') f FROM customer ORDER BY id",
    )
    assert all(len(i["lm"]) == 19 for i in got) and any(not i["f"].endswith(".000") for i in got)
    assert any(i["email"] is None for i in got) and all("email" in i for i in got)
    body = post(emu, "SELECT id FROM customer ORDER BY id", limit=5, offset=5).json()
    assert [link["rel"] for link in body["links"]] == ["previous", "next", "first", "last", "self"]
    assert body["links"][3]["href"].endswith("limit=5&offset=15")
    touched = control(emu, "POST", "/_emulator/touch", {"table": "customer", "count": 3})["ids"]
    assert touched


def test_switches_change_at_run_time_and_deny_table(emu):
    config = control(
        emu,
        "POST",
        "/_emulator/config",
        {
            "nulls": "null",
            "links": "all",
            "deny_tables": ["customer"],
            "date_format": "YYYY-MM-DD",
            "decimal_leading_zero": False,
        },
    )
    assert config["deny_tables"] == ["customer"] and config["nulls"] == "null"
    resp = post(emu, "SELECT id FROM customer")
    assert resp.status_code == 400
    assert resp.content.decode() == bad_request_body(PREFIX + "Search error occurred: Record 'customer' was not found.")
    got = items(emu, "SELECT trandate, memo FROM transaction ORDER BY id", limit=50)
    assert all(len(i["trandate"]) == 10 and i["trandate"][4] == "-" for i in got)
    assert any(i["memo"] is None for i in got)
    before = rows(emu, "transaction")[0]
    control(emu, "POST", "/_emulator/config", {"subsecond": True, "timezone": "Europe/Berlin"})
    after = rows(emu, "transaction")[0]
    assert after["trandate"] == before["trandate"]  # a date keeps its day in a new zone
    assert "." in after["lastmodifieddate"] or after["lastmodifieddate"].endswith(":00+00:00")
    bad = raw(emu, "POST", "/_emulator/config", json={"nulls": "maybe"})
    assert bad.status_code == 400


def agreeing(config: dict, stored: str, computed: str) -> list:
    """The items of two queries that must give the same rows, one reading stored renderings."""
    first, second = items(config, stored), items(config, computed)
    assert first == second and len(first) > 60
    return first


def test_stored_renderings_follow_writes_and_zone_switches(emu):
    """TO_CHAR of a table's own date or datetime column reads a rendering stored with the row;
    through a derived table it is computed per value. Both must agree after inserts, updates,
    sub-second and zone switches."""
    stored = (
        "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS s, "
        "TO_CHAR(createddate, 'YYYY-MM-DD HH24:MI:SS') AS c, TO_CHAR(trandate, 'YYYY-MM-DD') AS d "
        "FROM transaction ORDER BY id"
    )
    computed = (
        "SELECT id, TO_CHAR(m, 'YYYY-MM-DD HH24:MI:SS') AS s, TO_CHAR(k, 'YYYY-MM-DD HH24:MI:SS') AS c, "
        "TO_CHAR(t, 'YYYY-MM-DD') AS d FROM (SELECT id, lastmodifieddate AS m, createddate AS k, "
        "trandate AS t FROM transaction) ORDER BY id"
    )

    def both() -> list:
        return agreeing(emu, stored, computed)

    def as_in_zone(zone: str) -> None:
        canonical = {r["id"]: r["lastmodifieddate"] for r in rows(emu, "transaction")}
        for item in both():
            utc = datetime.fromisoformat(canonical[int(item["id"])])
            assert item["s"] == utc.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")

    original = both()
    as_in_zone(control(emu, "GET", "/_emulator/config")["timezone"])
    control(emu, "POST", "/_emulator/touch", {"table": "transaction", "count": 5})
    control(emu, "POST", "/_emulator/insert", {"table": "transaction", "count": 3})
    control(emu, "POST", "/_emulator/config", {"subsecond": True})
    assert both() != original
    control(emu, "POST", "/_emulator/config", {"timezone": "Asia/Kolkata"})
    as_in_zone("Asia/Kolkata")


def test_stored_number_text_follows_writes_and_the_leading_zero_preference(emu):
    """A table's own decimal column is read from a text stored with the row; through a derived
    table, or computed, it is rendered per value. Both must agree after updates and inserts,
    and both drop the leading zero when the account's preference says so."""
    amounts = "id, foreigntotal, foreignamountpaid, foreignamountunpaid, exchangerate"
    stored = f"SELECT {amounts} FROM transaction ORDER BY id"
    computed = (
        f"SELECT {amounts} FROM (SELECT id, foreigntotal + 0 AS foreigntotal, foreignamountpaid "
        "* 1 AS foreignamountpaid, foreignamountunpaid - 0 AS foreignamountunpaid, exchangerate "
        "FROM transaction) ORDER BY id"
    )

    def both() -> list:
        return agreeing(emu, stored, computed)

    original = both()
    ids = [int(item["id"]) for item in original[:4]]
    control(
        emu,
        "POST",
        "/_emulator/update",
        {"table": "transaction", "ids": ids[:2], "set": {"foreigntotal": 0.25, "exchangerate": 1.125}},
    )
    control(
        emu,
        "POST",
        "/_emulator/update",
        {"table": "transaction", "ids": ids[2:], "set": {"foreignamountunpaid": -0.5, "foreigntotal": 1e16}},
    )
    control(emu, "POST", "/_emulator/insert", {"table": "transaction", "count": 3})
    after = {int(item["id"]): item for item in both()}
    assert len(after) == len(original) + 3
    assert after[ids[0]]["foreigntotal"] == "0.25" and after[ids[1]]["exchangerate"] == "1.125"
    assert after[ids[2]]["foreignamountunpaid"] == "-0.5" and after[ids[3]]["foreigntotal"] == "10000000000000000"
    control(emu, "POST", "/_emulator/config", {"decimal_leading_zero": False})
    without = {int(item["id"]): item for item in both()}
    assert without[ids[0]]["foreigntotal"] == ".25" and without[ids[2]]["foreignamountunpaid"] == "-.5"
    assert without[ids[1]]["exchangerate"] == "1.125"


def test_offset_pages_and_their_total_follow_every_write(emu):
    """A page at an offset skips its rows before writing items, and `totalResults` is counted
    once while nothing changes: both must follow inserts and deletes."""
    q = (
        "SELECT id FROM transaction WHERE lastmodifieddate >= TO_TIMESTAMP('2024-07-01 00:00:00', "
        "'YYYY-MM-DD HH24:MI:SS') ORDER BY id"
    )
    every = [item["id"] for item in items(emu, q)]

    def page(offset: int) -> dict:
        return post(emu, q, limit=10, offset=offset).json()

    first = page(10)
    assert [item["id"] for item in first["items"]] == every[10:20] and first["totalResults"] == len(every)
    new = control(emu, "POST", "/_emulator/insert", {"table": "transaction", "count": 2})["ids"]
    assert page(10)["totalResults"] == len(every) + 2
    control(emu, "POST", "/_emulator/delete", {"table": "transaction", "ids": [int(every[12]), *new]})
    again = page(10)
    assert again["totalResults"] == len(every) - 1
    assert [item["id"] for item in again["items"]] == [*every[10:12], *every[13:21]]


TRICKY = [
    'quote " back \\ slash / tab \t nl \n cr \r bell \x07 del \x7f',
    "x:null",
    ',"otherrefnum":null',
    'a\\","otherrefnum":null',
    "naïve — 日本 \u2028 😀",
    "",
    "null",
]


@pytest.mark.parametrize("nulls", ["left-out", "null"])
def test_items_are_written_byte_for_byte_as_netsuite_serialises(emu, nulls):
    """The engine writes items as JSON inside SQLite: the body must be what NetSuite's compact
    serialisation (every `/` escaped) gives for the same values, and only real NULL columns may
    be left out, whatever the text holds."""
    control(emu, "POST", "/_emulator/config", {"nulls": nulls})
    ids = [int(i["id"]) for i in items(emu, "SELECT id FROM transaction ORDER BY id")][: len(TRICKY) + 1]
    for record, text in zip(ids[:-1], TRICKY, strict=True):  # the last id: a row with a real NULL
        control(
            emu,
            "POST",
            "/_emulator/update",
            {"table": "transaction", "ids": [record], "set": {"memo": text, "otherrefnum": text}},
        )
    control(
        emu,
        "POST",
        "/_emulator/update",
        {"table": "transaction", "ids": [ids[-1]], "set": {"memo": "kept", "otherrefnum": None}},
    )
    resp = post(emu, f"SELECT id, memo, otherrefnum, foreigntotal FROM transaction WHERE id <= {ids[-1]} ORDER BY id")
    assert resp.status_code == 200
    body = resp.json()
    expected = json.dumps(body, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/").encode()
    assert resp.content == expected
    got = {int(i["id"]): i for i in body["items"]}
    for record, text in zip(ids[:-1], TRICKY, strict=True):
        assert got[record]["memo"] == text and got[record]["otherrefnum"] == text
        assert list(got[record]) == ["links", "id", "memo", "otherrefnum", "foreigntotal"]
    assert ("otherrefnum" in got[ids[-1]]) == (nulls == "null")
    assert got[ids[-1]].get("otherrefnum") is None and got[ids[-1]]["memo"] == "kept"


@pytest.mark.parametrize("emu", [("--deny-table", "deletedrecord")], indirect=True)
def test_deny_table_flag(emu):
    resp = post(emu, "SELECT recordid FROM deletedrecord")
    assert "Record 'deletedrecord' was not found." in resp.json()["o:errorDetails"][0]["detail"]


# -- 2. tables --------------------------------------------------------------------------------
def test_new_tables_and_custom_fields(emu):
    star = items(emu, "SELECT * FROM customer ORDER BY id", limit=5)
    assert "custentity_vip" in star[0]
    assert "custbody_approved" in items(emu, "SELECT * FROM transaction", limit=1)[0]
    fields = items(emu, "SELECT scriptid, fieldvaluetype, label FROM customfield ORDER BY id")
    assert {"scriptid": "CUSTBODY_APPROVED", "fieldvaluetype": "Check Box", "label": "Approved", "links": []} in fields
    deleted = items(
        emu,
        "SELECT recordid, type, TO_CHAR(deleteddate, 'YYYY-MM-DD') d FROM deletedrecord ORDER BY deleteddate, recordid",
    )
    assert {"invoice", "customer", "vendor", "creditmemo", "customrecord_contract"} <= {d["type"] for d in deleted}
    lines = rows(emu, "transactionline")
    headers = {r["id"]: r for r in rows(emu, "transaction")}
    by_tx: dict[int, list] = {}
    for line in lines:
        by_tx.setdefault(line["transaction"], []).append(line)
    assert set(by_tx) == set(headers)
    for tid, group in by_tx.items():
        main = [g for g in group if g["mainline"]]
        assert len(main) == 1 and main[0]["amount"] == headers[tid]["foreigntotal"]
        if headers[tid]["type"] == "CustInvc":
            assert len(group) == 3
            total = sum(float(g["amount"]) for g in group if not g["mainline"])
            assert abs(total + float(headers[tid]["foreigntotal"])) < 0.005
    got = items(
        emu,
        "SELECT transaction, id, BUILTIN.DF(item) it, "
        f"TO_CHAR(linelastmodifieddate, '{TS}') l FROM transactionline "
        "WHERE mainline = 'F' ORDER BY transaction, id",
        limit=10,
    )
    assert got and all(i["it"] for i in got)


# -- 3. changing data -------------------------------------------------------------------------
def test_insert_update_delete(emu):
    new = control(emu, "POST", "/_emulator/insert", {"table": "transaction", "count": 3})["ids"]
    assert len(new) == 3
    named = control(emu, "POST", "/_emulator/insert", {"table": "customer", "rows": [{"companyname": "Zed / Co"}]})[
        "ids"
    ]
    assert next(c for c in rows(emu, "customer") if c["id"] == named[0])["companyname"] == "Zed / Co"
    lines = [r for r in rows(emu, "transactionline") if r["transaction"] in new]
    assert len(lines) == 9
    bulk = control(
        emu,
        "POST",
        "/_emulator/update",
        {"table": "transaction", "count": 20, "same_timestamp": True, "set": {"memo": "bulk edit"}},
    )["ids"]
    truth = {r["id"]: r for r in rows(emu, "transaction")}
    assert len({truth[i]["lastmodifieddate"] for i in bulk}) == 1
    assert all(truth[i]["memo"] == "bulk edit" for i in bulk)
    night = control(
        emu, "POST", "/_emulator/update", {"table": "transaction", "ids": bulk[:2], "at": "2026-11-01T08:30:00+00:00"}
    )
    assert night["ids"] == bulk[:2]
    got = items(emu, f"SELECT id, TO_CHAR(lastmodifieddate, '{TS}') lm FROM transaction WHERE id = {bulk[0]}")
    assert got[0]["lm"] == "2026-11-01 01:30:00"
    gone = control(emu, "POST", "/_emulator/delete", {"table": "transaction", "ids": new[:2]})
    assert gone["ids"] == new[:2]
    deleted = items(
        emu,
        "SELECT recordid, type, TO_CHAR(deleteddate, 'YYYY') y FROM "
        f"deletedrecord WHERE recordid IN ({new[0]}, {new[1]}) ORDER BY recordid",
    )
    assert [(int(d["recordid"]), d["type"]) for d in deleted] == [(new[0], "invoice"), (new[1], "invoice")]
    assert int(deleted[0]["y"]) >= 2026
    assert not [r for r in rows(emu, "transactionline") if r["transaction"] in new[:2]]
    assert raw(emu, "POST", "/_emulator/update", json={"table": "nope"}).status_code == 400


def test_background_writer(emu):
    status = control(emu, "POST", "/_emulator/writer", {"rate_per_second": 40, "seconds": 5})
    assert status["running"]
    seen = set()
    for _ in range(5):
        seen |= {i["id"] for i in items(emu, "SELECT id FROM transaction ORDER BY id")}
        time.sleep(0.1)
    done = control(emu, "POST", "/_emulator/writer", {"stop": True})
    assert not done["running"]
    assert len(done["updated"]) + len(done["inserted"]) + len(done["deleted"]) > 3


# -- 4. governance and observing --------------------------------------------------------------
@pytest.mark.parametrize("emu", [("--concurrency", "2", "--latency-base-ms", "600")], indirect=True)
def test_pool_refuses_at_once_and_metrics_count(emu):
    control(emu, "POST", "/_emulator/metrics/reset")
    results = []

    def one():
        results.append(post(emu, "SELECT id FROM customer", limit=5).status_code)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count(200) >= 2 and 429 in results
    metrics = control(emu, "GET", "/_emulator/metrics")
    assert metrics["pool"]["max_in_use"] == 2 and metrics["max_in_flight"] >= 3
    assert metrics["throttled_429"] == results.count(429)
    assert metrics["requests"]["suiteql"]["429"] == results.count(429)
    assert metrics["queries"][-1]["q"] == "SELECT id FROM customer"
    assert metrics["queries"][-1]["limit"] == 5
    body = post(emu, "SELECT id FROM customer", limit=5)  # serial: fine
    assert body.status_code == 200


@pytest.mark.parametrize("emu", [("--latency-per-row-ms", "50", "--request-timeout-s", "1")], indirect=True)
def test_latency_per_row_and_timeout(emu):
    started = time.monotonic()
    assert post(emu, "SELECT id FROM customer", limit=10).status_code == 200
    assert time.monotonic() - started >= 0.5
    resp = post(emu, "SELECT id FROM transaction", limit=25)  # 1.25 s of rows: cut off at 1 s
    assert resp.status_code == 500
    assert resp.json()["o:errorDetails"][0]["o:errorCode"] == "UNEXPECTED_ERROR"


def test_fifteen_requests_in_flight(emu):
    control(emu, "POST", "/_emulator/config", {"concurrency": 15, "latency_base_ms": 400})
    control(emu, "POST", "/_emulator/metrics/reset")
    codes = []
    threads = [
        threading.Thread(target=lambda: codes.append(post(emu, "SELECT id FROM customer", limit=5).status_code))
        for _ in range(15)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 15
    assert control(emu, "GET", "/_emulator/metrics")["pool"]["max_in_use"] >= 10


# -- 5. faults --------------------------------------------------------------------------------
def test_faults_next_every_and_kinds(emu):
    control(emu, "POST", "/_emulator/faults", {"kind": 503, "next": 2, "route": "suiteql"})
    codes = [post(emu, "SELECT id FROM customer", limit=5).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    control(emu, "POST", "/_emulator/faults", {"kind": "429", "every": 2})
    codes = [post(emu, "SELECT id FROM customer", limit=5).status_code for _ in range(4)]
    assert codes == [200, 429, 200, 429]
    control(emu, "POST", "/_emulator/faults", {"kind": "drop", "next": 1})
    with pytest.raises(requests.ConnectionError):
        post(emu, "SELECT id FROM customer", limit=5)
    control(emu, "POST", "/_emulator/faults", {"kind": "truncate", "next": 1})
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        post(emu, "SELECT id FROM customer", limit=5)
    control(emu, "POST", "/_emulator/faults", {"kind": "stall", "next": 1, "stall_s": 0.5})
    started = time.monotonic()
    assert post(emu, "SELECT id FROM customer", limit=5).status_code == 200
    assert time.monotonic() - started >= 0.5
    control(emu, "POST", "/_emulator/faults", {"kind": 500, "fraction": 0.5, "seed": 3})
    codes = [post(emu, "SELECT id FROM customer", limit=5).status_code for _ in range(10)]
    assert 500 in codes and 200 in codes
    control(emu, "POST", "/_emulator/faults", {"clear": True})
    faults = control(emu, "GET", "/_emulator/metrics")["faults"]
    assert faults["503"] == 2 and faults["drop"] == 1 and faults["truncate"] == 1


@pytest.mark.parametrize("emu", [("--fault-kind", "500", "--fault-next", "1")], indirect=True)
def test_fault_from_the_command_line(emu):
    assert post(emu, "SELECT id FROM customer", limit=5).status_code == 500
    assert post(emu, "SELECT id FROM customer", limit=5).status_code == 200


# -- 6. OAuth 2.0 -----------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(key_path, alg: str, kid: str, claims: dict) -> str:
    """A JWT signed with cryptography here (neither the tap's PyJWT nor the emulator's code)."""
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    head = _b64(json.dumps({"typ": "JWT", "alg": alg, "kid": kid}).encode())
    body = _b64(json.dumps(claims).encode())
    signed_part = f"{head}.{body}".encode()
    if alg.startswith("PS"):
        sig = key.sign(signed_part, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(key.sign(signed_part, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = b"x" * 256
    return f"{head}.{body}.{_b64(sig)}"


def _token(config, assertion):
    return raw(
        config,
        "POST",
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )


@pytest.mark.parametrize("kind,alg", [("rsa", "PS256"), ("ec", "ES256")])
def test_oauth2_client_credentials(tmp_path, kind, alg):
    key = tmp_path / "key.pem"
    with running_emulator(
        tmp_path,
        "--oauth2-generate-key",
        kind,
        str(key),
        "--config-out-auth",
        "oauth2",
        "--token-lifetime-s",
        "600",
        customers=5,
        invoices=10,
    ) as config:
        assert config["private_key_path"] == str(key.resolve())
        now = int(time.time())
        claims = {
            "iss": config["client_id"],
            "scope": ["rest_webservices", "restlets"],
            "aud": config["base_url"] + TOKEN,
            "iat": now,
            "exp": now + 3600,
        }
        resp = _token(config, jwt(key, alg, config["certificate_id"], claims))
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["expires_in"] == "600" and body["token_type"] == "bearer"
        bearer = {"Authorization": f"Bearer {body['access_token']}", "Prefer": "transient"}
        ok = raw(
            config,
            "POST",
            "/services/rest/query/v1/suiteql?limit=5",
            headers=bearer,
            json={"q": "SELECT id FROM customer"},
        )
        assert ok.status_code == 200
        rec = raw(config, "GET", f"/services/rest/record/v1/customer/{ok.json()['items'][0]['id']}", headers=bearer)
        assert rec.status_code == 200
        echo = raw(
            config,
            "GET",
            f"{RESTLET}?script=customscript_tapns_echo&deploy=1",
            headers={**bearer, "Content-Type": "application/json"},
        )
        assert echo.status_code == 200
        for bad, error in [
            ({**claims, "exp": now + 3601}, "invalid_grant"),
            ({**claims, "iss": "someone"}, "invalid_client"),
            ({**claims, "aud": "http://elsewhere/token"}, "invalid_grant"),
            ({**claims, "exp": now - 1}, "invalid_grant"),
        ]:
            refused = _token(config, jwt(key, alg, config["certificate_id"], bad))
            assert (refused.status_code, refused.json()["error"]) == (400, error)
        assert _token(config, jwt(key, alg, "other-kid", claims)).json()["error"] == "invalid_client"
        assert _token(config, jwt(key, "RS256", config["certificate_id"], claims)).json()["error"] == "invalid_request"
        assert control(config, "POST", "/_emulator/oauth2/expire-tokens")["expired"] >= 1
        late = raw(
            config,
            "POST",
            "/services/rest/query/v1/suiteql?limit=5",
            headers=bearer,
            json={"q": "SELECT id FROM customer"},
        )
        assert late.status_code == 401
        assert late.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
        assert late.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
        metrics = control(config, "GET", "/_emulator/metrics")
        assert metrics["token_requests"] == 7


# -- 7. record API ----------------------------------------------------------------------------
def test_record_api_and_metadata_catalog(emu):
    resp = signed(emu, "GET", "/services/rest/record/v1/metadata-catalog/customer", content_type="")
    assert resp.headers["Content-Type"] == "application/schema+json"
    props = resp.json()["properties"]
    assert props["lastModifiedDate"]["format"] == "date-time"
    assert props["custentity_vip"]["x-ns-custom-field"] is True
    assert "x-ns-custom-field" not in props["companyName"]
    invoice = next(r for r in rows(emu, "transaction") if r["type"] == "CustInvc")
    got = signed(emu, "GET", f"/services/rest/record/v1/invoice/{invoice['id']}", content_type="").json()
    assert got["id"] == invoice["id"] and got["tranId"] == invoice["tranid"]
    assert got["total"] == float(invoice["foreigntotal"])
    assert got["lastModifiedDate"] == invoice["lastmodifieddate"].replace("+00:00", "Z")
    assert got["tranDate"] == invoice["trandate"] and isinstance(got["custbody_approved"], bool)
    assert got["entity"]["id"] == str(invoice["entity"]) and got["entity"]["refName"]
    missing = signed(emu, "GET", "/services/rest/record/v1/customer/1", content_type="")
    assert missing.status_code == 404
    assert missing.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"


# -- 8. RESTlets ------------------------------------------------------------------------------
def test_restlet_dispatch_content_type_and_errors(emu):
    ok = signed(emu, "GET", f"{RESTLET}?script=customscript_tapns_echo&deploy=1&customer_id=4")
    assert ok.status_code == 200
    assert ok.json()["params"] == {"script": "customscript_tapns_echo", "deploy": "1", "customer_id": "4"}
    numeric = signed(emu, "POST", f"{RESTLET}?script=101&deploy=customdeploy_x", body=b'{"a": 1}')
    assert numeric.json()["body"] == {"a": 1}
    assert signed(emu, "GET", f"{RESTLET}?script=101&deploy=1", content_type="text/html").status_code == 415
    thrown = signed(emu, "GET", f"{RESTLET}?script=101&deploy=1&fail=yes")
    assert (thrown.status_code, thrown.json()["error"]["code"]) == (400, "SSS_MISSING_REQD_ARGUMENT")
    unsigned = raw(emu, "GET", f"{RESTLET}?script=101&deploy=1", headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert unsigned.json() == {"error": {"code": "INVALID_LOGIN_ATTEMPT", "message": "Invalid login attempt."}}
    # Every query parameter is signed: changing one after signing is refused.
    resp = signed(emu, "GET", f"{RESTLET}?script=101&deploy=1&customer_id=4")
    tampered = resp.request.url.replace("customer_id=4", "customer_id=5")
    with requests.get(tampered, headers=resp.request.headers, timeout=10) as again:
        assert again.status_code == 401


@pytest.mark.parametrize("emu", [("--concurrency", "1", "--latency-base-ms", "500")], indirect=True)
def test_restlet_pool_full_is_400(emu):
    codes = []

    def call():
        resp = signed(emu, "GET", f"{RESTLET}?script=101&deploy=1")
        codes.append((resp.status_code, resp.json().get("error", {}).get("code")))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (400, "SSS_REQUEST_LIMIT_EXCEEDED") in codes and (200, None) in codes


# -- 9. independent OAuth 1.0a signer ---------------------------------------------------------
class _AuthlibSha256(OAuth1Auth):
    """authlib's OAuth 1.0a client with HMAC-SHA256 built from authlib's own base string."""


def _sign_hmac_sha256(client, request):
    base = authlib_signature.generate_signature_base_string(request)
    key = f"{escape(client.client_secret or '')}&{escape(client.token_secret or '')}"
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()


_AuthlibSha256.SIGNATURE_METHODS = {**ClientAuth.SIGNATURE_METHODS, "HMAC-SHA256": _sign_hmac_sha256}


def test_authlib_signature_is_accepted_and_tampering_refused(emulator):
    auth = _AuthlibSha256(
        emulator["consumer_key"],
        emulator["consumer_secret"],
        token=emulator["token_id"],
        token_secret=emulator["token_secret"],
        signature_method="HMAC-SHA256",
        realm=emulator["account_id"],
    )
    url = emulator["base_url"] + "/services/rest/query/v1/suiteql?limit=3&offset=0"
    with requests.post(
        url, auth=auth, json={"q": "SELECT id FROM customer ORDER BY id"}, headers={"Prefer": "transient"}, timeout=30
    ) as resp:
        assert resp.status_code == 200, resp.text
        assert len(resp.json()["items"]) == 3
        header = resp.request.headers["Authorization"]
    assert 'realm="1234567_SB1"' in header and "HMAC-SHA256" in header
    tampered = url.replace("limit=3", "limit=4")
    with requests.post(
        tampered,
        headers={"Authorization": header, "Prefer": "transient", "Content-Type": "application/json"},
        data=b'{"q": "SELECT id FROM customer"}',
        timeout=30,
    ) as again:
        assert again.status_code == 401


def test_oauth2_public_key_flag_accepts_a_pyjwt_assertion_and_checks_scope(tmp_path):
    """The tap signs with PyJWT; the emulator verifies with its own code."""
    import jwt as pyjwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(65537, 2048)
    public = tmp_path / "public.pem"
    public.write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with running_emulator(
        tmp_path,
        "--oauth2-public-key",
        str(public),
        "--oauth2-client-id",
        "client-1",
        "--oauth2-certificate-id",
        "cert-1",
        customers=5,
        invoices=10,
    ) as config:
        assert "client_id" not in config  # token-based config unless asked
        now = int(time.time())
        claims = {
            "iss": "client-1",
            "scope": ["restlets"],
            "aud": config["base_url"] + TOKEN,
            "iat": now,
            "exp": now + 1800,
        }
        assertion = pyjwt.encode(claims, private, algorithm="PS256", headers={"kid": "cert-1"})
        resp = _token(config, assertion)
        assert resp.status_code == 200, resp.text
        bearer = {
            "Authorization": f"Bearer {resp.json()['access_token']}",
            "Content-Type": "application/json",
            "Prefer": "transient",
        }
        assert raw(config, "GET", f"{RESTLET}?script=101&deploy=1", headers=bearer).status_code == 200
        refused = raw(
            config, "POST", "/services/rest/query/v1/suiteql", headers=bearer, json={"q": "SELECT id FROM customer"}
        )
        assert refused.status_code == 401 and "rest_webservices" in refused.headers["WWW-Authenticate"]
        unknown = raw(
            config, "GET", f"{RESTLET}?script=101&deploy=1", headers={**bearer, "Authorization": "Bearer nope"}
        )
        assert unknown.status_code == 401
        assert unknown.json()["error"]["code"] == "INVALID_LOGIN_ATTEMPT"
        form = raw(config, "POST", TOKEN, json={"grant_type": "client_credentials"})
        assert (form.status_code, form.json()["error"]) == (400, "invalid_request")


def test_history_crosses_the_fall_back_night(emulator):
    """Records sit in both occurrences of 01:30 on a fall-back night: the same local text for
    two instants an hour apart, as a keyset on rendered time must survive."""
    stamps = {r["lastmodifieddate"] for r in rows(emulator, "transaction")}
    night = [
        s
        for s in stamps
        if s.startswith(
            (
                "2023-11-05T08:30",
                "2023-11-05T09:30",
                "2024-11-03T08:30",
                "2024-11-03T09:30",
                "2025-11-02T08:30",
                "2025-11-02T09:30",
            )
        )
    ]
    assert len({s[:13] for s in night}) >= 2
    got = items(
        emulator,
        f"SELECT DISTINCT TO_CHAR(lastmodifieddate, '{TS}') lm FROM transaction "
        "WHERE TO_CHAR(lastmodifieddate, 'HH24:MI') = '01:30' "
        "AND TO_CHAR(lastmodifieddate, 'MM') = '11'",
    )
    assert got and all(i["lm"].endswith("01:30:00") for i in got)


def test_generation_is_the_same_in_one_part_or_several(monkeypatch):
    """Big data sets are generated in parts by threads; the data must not depend on it."""
    from zoneinfo import ZoneInfo

    from netsuite_emulator import data, sqlgen

    def dump(conn):
        return [
            conn.execute(f'SELECT * FROM "{t}" ORDER BY 1, 2').fetchall()
            for t in ("customer", "transaction", "transactionline", "deletedrecord")
        ]

    tz = ZoneInfo("America/Los_Angeles")
    monkeypatch.setattr(sqlgen, "PARALLEL_FROM", 100)
    monkeypatch.setattr(sqlgen.os, "cpu_count", lambda: 3)
    parts = data.build_database(50, 400, 5, tz)
    monkeypatch.setattr(sqlgen, "PARALLEL_FROM", 10**9)
    whole = data.build_database(50, 400, 5, tz)
    try:
        assert dump(parts) == dump(whole)
        assert whole.execute("SELECT COUNT(*) FROM \"transaction\" WHERE type = 'CustInvc'").fetchone()[0] == 400
    finally:
        parts.close()
        whole.close()
