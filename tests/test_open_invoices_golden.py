"""The open-invoices RESTlet contract (suitescripts/README.md) held to the golden cases that the
Jest tests read too, through the emulator's pure function, over HTTP with the tap's client, and
through the tap's open_invoice_aging stream."""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import REPO, control, emulator_client, messages, rows, run_tap, running_emulator

from netsuite_emulator import open_invoices, schema
from netsuite_emulator.restlets import RestletError
from tap_netsuite.errors import NetSuiteRestletError

CASES = json.loads((REPO / "suitescripts/fixtures/open_invoice_aging.json").read_text())
SCRIPT, DEPLOY = "customscript_tapns_open_invoices_rl", "customdeploy_tapns_open_invoices_rl"
# Case rows carry display texts; the emulator stores codes (D: an invoice pending approval).
STATUS_CODE = {
    "Pending Approval": "D",
    **{text: key.split(":")[1] for key, text in schema.STATUS_TEXT.items() if key[:9] == "CustInvc:"},
}
TERMS_CODE = {text: code for code, text in schema.TERMS_TEXT.items()}


def follow(call, params: dict) -> list[dict]:
    """Every answer a caller gets by repeating the first parameters with next_cursor."""
    pages = [call(params)]
    while pages[-1]["has_more"]:
        assert len(pages) <= 50, "the cursor does not advance"
        pages.append(call({**params, "cursor": pages[-1]["next_cursor"]}))
    return pages


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case_through_the_pure_function(case):
    pages = follow(lambda p: open_invoices.answer(case["invoices"], p, "1999-01-01"), case["params"])
    assert pages == case["expected"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"page_size": "0"}, "TAPNS_INVALID_PAGE_SIZE"),
        ({"page_size": "1001"}, "TAPNS_INVALID_PAGE_SIZE"),
        ({"as_of": "2023-02-29"}, "TAPNS_INVALID_AS_OF"),
        ({"customer_id": ""}, "TAPNS_INVALID_CUSTOMER_ID"),
        ({"cursor": "v1.2024-06-30.all.0"}, "TAPNS_INVALID_CURSOR"),
        ({"cursor": "v1.2024-06-30.42.7", "customer_id": "17"}, "TAPNS_INVALID_CURSOR"),
        ({"cursor": "v1.2024-06-30.all.7", "as_of": "2024-07-01"}, "TAPNS_INVALID_CURSOR"),
    ],
)
def test_bad_parameters_are_n_error_errors(params, code):
    with pytest.raises(RestletError) as caught:
        open_invoices.answer([], params, "2024-06-30")
    inner = json.loads(caught.value.message)
    assert (caught.value.code, inner["type"], inner["name"]) == (code, "error.SuiteScriptError", code)


@pytest.fixture(scope="module")
def golden_emulator(tmp_path_factory):
    with (
        running_emulator(tmp_path_factory.mktemp("golden"), customers=1, invoices=0) as config,
        emulator_client(config) as client,
    ):
        yield config, client


def load_case(config: dict, invoices: list[dict]) -> dict[int, int]:
    """Replace the emulator's transactions with the case's; answer emulator id -> case id.

    The emulator assigns ids itself, so rows go in by ascending case id to keep the order."""
    old = [r["id"] for r in rows(config, "transaction")]
    control(config, "POST", "/_emulator/delete", {"table": "transaction", "ids": old})
    ordered = sorted(invoices, key=lambda r: int(r["id"]))
    inserted = [
        {
            "tranid": r["tranid"],
            "entity": int(r["entity"]),
            "trandate": r["trandate"],
            "duedate": r.get("duedate"),
            "foreigntotal": r["foreigntotal"],
            "foreignamountunpaid": r["foreignamountunpaid"],
            "status": STATUS_CODE[r["status"]],
            "terms": TERMS_CODE.get(r.get("terms")),
            "memo": r.get("memo"),
        }
        for r in ordered
    ]
    ids = control(config, "POST", "/_emulator/insert", {"table": "transaction", "rows": inserted})["ids"]
    return {new: int(r["id"]) for new, r in zip(ids, ordered, strict=True)}


def as_case(page: dict, case_id: dict[int, int]) -> dict:
    """An emulator answer with its ids (items and cursor) written as the case's ids."""
    cursor = page["next_cursor"]
    if cursor:
        head, last = cursor.rsplit(".", 1)
        cursor = f"{head}.{case_id[int(last)]}"
    return {**page, "items": [{**i, "id": case_id[i["id"]]} for i in page["items"]], "next_cursor": cursor}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case_over_http(golden_emulator, case):
    config, client = golden_emulator
    case_id = load_case(config, case["invoices"])
    pages = follow(lambda p: client.call_restlet(SCRIPT, DEPLOY, p), case["params"])
    assert [as_case(p, case_id) for p in pages] == case["expected"]


@pytest.mark.parametrize(
    ("params", "code", "named"),
    [
        ({"page_size": "0"}, "TAPNS_INVALID_PAGE_SIZE", "page_size"),
        ({"page_size": "ten"}, "TAPNS_INVALID_PAGE_SIZE", "page_size"),
        ({"as_of": "2024-13-01"}, "TAPNS_INVALID_AS_OF", "as_of"),
        ({"as_of": "30/06/2024"}, "TAPNS_INVALID_AS_OF", "as_of"),
    ],
)
def test_restlet_errors_reach_the_tap_clearly(golden_emulator, params, code, named):
    _, client = golden_emulator
    with pytest.raises(NetSuiteRestletError) as caught:
        client.call_restlet(SCRIPT, DEPLOY, params)
    error = caught.value
    assert error.code == code
    assert error.detail.startswith(f"{named} ") and "SuiteScriptError" not in str(error)
    assert code in str(error) and error.detail in str(error)


def test_stream_lists_what_the_data_says_is_open(tmp_path):
    with running_emulator(tmp_path, customers=15, invoices=200) as emulator:
        config = {
            **emulator,
            "page_size": 7,
            "open_invoices_restlet_script": SCRIPT,
            "open_invoices_restlet_deploy": DEPLOY,
        }
        result = run_tap(tmp_path, config)
        assert result.returncode == 0, result.stderr[-3000:]
        data = {
            r["id"]: r
            for r in rows(emulator, "transaction")
            if r["type"] == "CustInvc" and r["status"] == "A" and float(r["foreignamountunpaid"]) > 0
        }
        calls = control(emulator, "GET", "/_emulator/metrics")["requests"]["restlet"]
    records = [m["record"] for m in messages(result.stdout, "RECORD", "open_invoice_aging")]
    ids = [r["id"] for r in records]
    assert len(data) > 3 * 7 and len(ids) == len(set(ids)) == len(data)
    assert set(ids) == set(data) and ids == sorted(ids)
    assert calls == {"200": -(-len(data) // 7)}  # one call per page, none refused
    [as_of] = {r["as_of"] for r in records}
    for record in records:
        due = data[record["id"]]["duedate"]
        days = max(0, (date.fromisoformat(as_of) - date.fromisoformat(due)).days) if due else 0
        expected = (days, open_invoices.bucket(days))
        assert (record["days_overdue"], record["aging_bucket"]) == expected
        assert record["customer_id"] == data[record["id"]]["entity"]
