"""NetSuiteClient's record API and lookups against the emulator, over a real socket.

Each method: success, 404, 400 with o:errorPath, 429 retried; a POST is never resent after a
lost answer; a record written through the client is read by the tap's next incremental run.
The emulator here is this module's own: the tests write to it.
"""

from __future__ import annotations

import time
import uuid

import pytest
from helpers import control, emulator_client, messages, metrics, rows, run_tap, running_emulator

from tap_netsuite.client import NetSuiteClient
from tap_netsuite.errors import NetSuiteNotFoundError, NetSuiteRecordError, NetSuiteUnavailableError
from tap_netsuite.suiteql import quote

CUSTOMERS = "/services/rest/record/v1/customer"
INVOICES = "/services/rest/record/v1/invoice"


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    with running_emulator(tmp_path_factory.mktemp("record-api"), customers=12, invoices=60) as config:
        yield config


@pytest.fixture
def client(account):
    with emulator_client(account, page_size=7, backoff_base=0.01) as made:
        yield made
    fault(account, {"clear": True})


def fault(config: dict, plan: dict) -> None:
    control(config, "POST", "/_emulator/faults", plan)


def named(client: NetSuiteClient, name: str) -> list[str]:
    page = client.query_page(f"SELECT id FROM customer WHERE companyname = {quote(name)} ORDER BY id")
    return [item["id"] for item in page["items"]]


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def a_customer_id(client: NetSuiteClient) -> str:
    return client.post(CUSTOMERS, {"companyName": unique("Fixture Co")})


# -- success ----------------------------------------------------------------------------------------


def test_post_returns_the_new_id_and_the_record_is_in_suiteql(client):
    name = unique("Acme")
    new_id = client.post(CUSTOMERS, {"companyName": name, "email": "ap@acme.example", "subsidiary": {"id": "1"}})
    assert new_id.isdigit()
    assert named(client, name) == [new_id]
    record = client.get(f"{CUSTOMERS}/{new_id}")
    assert (record["id"], record["companyName"], record["email"]) == (int(new_id), name, "ap@acme.example")


def test_get_customer_reads_the_record_api_shape(client, account):
    customer = rows(account, "customer")[0]
    found = client.get_customer(customer["id"], expand=True)
    assert found["companyName"] == customer["companyname"]
    assert found["isInactive"] is customer["isinactive"]
    assert found["subsidiary"]["id"] == str(customer["subsidiary"])


def test_patch_sets_the_given_fields_only(client):
    new_id = a_customer_id(client)
    before = client.get_customer(new_id)
    assert client.patch(f"{CUSTOMERS}/{new_id}", {"email": "changed@acme.example", "isInactive": True}) is None
    after = client.get_customer(new_id)
    assert (after["email"], after["isInactive"]) == ("changed@acme.example", True)
    assert after["companyName"] == before["companyName"]


def test_put_upserts_by_external_id(client):
    external = unique("EXT Ü")  # sent percent-encoded
    created = client.put(f"{CUSTOMERS}/eid:{external}", {"companyName": "Upsert One"})
    again = client.put(f"{CUSTOMERS}/eid:{external}", {"companyName": "Upsert Two"})
    assert created == again
    record = client.get_customer(created)
    assert (record["companyName"], record["externalId"]) == ("Upsert Two", external)


def test_delete_removes_the_record_and_lists_it_in_deletedrecord(client, account):
    customer = a_customer_id(client)
    invoice = client.post(INVOICES, {"entity": {"id": customer}, "memo": "to be deleted"})
    assert client.delete(f"{INVOICES}/{invoice}") is None
    with pytest.raises(NetSuiteNotFoundError):
        client.get(f"{INVOICES}/{invoice}")
    deleted = [r for r in rows(account, "deletedrecord") if r["recordid"] == int(invoice)]
    assert [(r["type"], r["context"]) for r in deleted] == [("invoice", "Web Services")]


# -- 404 and 400 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("get", (f"{CUSTOMERS}/999999",)),
        ("patch", (f"{CUSTOMERS}/999999", {"email": "x@y.example"})),
        ("delete", (f"{INVOICES}/999999",)),
        ("post", ("/services/rest/record/v1/nosuchtype", {"name": "x"})),
        ("put", ("/services/rest/record/v1/nosuchtype/eid:X", {"name": "x"})),
    ],
)
def test_a_missing_record_is_not_found(client, method, args):
    with pytest.raises(NetSuiteNotFoundError, match="HTTP 404"):
        getattr(client, method)(*args)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", CUSTOMERS, {"email": "no-name@acme.example"}, "companyName"),
        ("post", INVOICES, {"entity": {"id": "999999"}}, "entity"),
        ("patch", f"{CUSTOMERS}/{{id}}", {"isInactive": "yes"}, "isInactive"),
        ("put", f"{CUSTOMERS}/eid:BAD-DATE", {"companyName": "x", "custentity_credit_review": "31.12.2024"}, None),
    ],
    ids=["post missing field", "post bad reference", "patch wrong type", "put bad date"],
)
def test_a_refused_write_names_the_field_at_fault(client, method, path, body, field):
    path = path.replace("{id}", a_customer_id(client))
    with pytest.raises(NetSuiteRecordError) as refused:
        getattr(client, method)(path, body)
    expected = field or "custentity_credit_review"
    assert refused.value.error_path == expected
    assert refused.value.code in ("USER_ERROR", "INVALID_CONTENT")
    assert f"The field at fault: {expected}." in str(refused.value)


# -- retries and lost answers -----------------------------------------------------------------------


def settled_metrics(config: dict) -> dict:
    """The emulator's counters once no request is in flight: it counts a request just after its
    answer went out, so counters read (or reset) right after an answer could miss (or keep) it."""
    deadline = time.monotonic() + 30
    while (counters := metrics(config))["in_flight"] > 0:
        assert time.monotonic() < deadline, "the emulator kept a request in flight for 30 s"
        time.sleep(0.01)
    return counters


def record_requests(config: dict) -> dict:
    return settled_metrics(config)["requests"].get("record", {})


def reset_metrics(config: dict) -> None:
    settled_metrics(config)
    metrics(config, reset=True)


def call_arguments(client: NetSuiteClient, method: str) -> tuple:
    """Arguments for a call of `method` that succeeds, on a customer made for it."""
    customer = a_customer_id(client)
    return {
        "get": (f"{CUSTOMERS}/{customer}",),
        "post": (CUSTOMERS, {"companyName": unique("Sent")}),
        "patch": (f"{CUSTOMERS}/{customer}", {"phone": "+1 555 0100"}),
        "put": (f"{CUSTOMERS}/eid:{uuid.uuid4().hex}", {"companyName": "Upserted"}),
        "delete": (f"{CUSTOMERS}/{customer}",),
    }[method]


@pytest.mark.parametrize("method", ["get", "post", "patch", "put", "delete"])
def test_a_429_is_retried_for_every_method(client, account, method):
    arguments = call_arguments(client, method)
    reset_metrics(account)
    fault(account, {"kind": "429", "next": 2, "route": "record"})
    getattr(client, method)(*arguments)
    assert record_requests(account) == {"429": 2, "200" if method == "get" else "204": 1}


def test_a_post_is_not_sent_again_after_a_dropped_answer(client, account):
    name = unique("Dropped")
    reset_metrics(account)
    fault(account, {"kind": "drop", "next": 1, "route": "record"})
    key = str(uuid.uuid4())
    with pytest.raises(NetSuiteUnavailableError, match="is not retried: it may have run already") as lost:
        client.post(CUSTOMERS, {"companyName": name}, idempotency_key=key)
    assert key in str(lost.value)
    assert record_requests(account) == {"dropped": 1}
    assert named(client, name) == []


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
@pytest.mark.parametrize(("kind", "counted"), [("drop", "dropped"), ("503", "503")], ids=["dropped", "503"])
def test_no_write_is_sent_again_once_it_may_have_run(client, account, method, kind, counted):
    arguments = call_arguments(client, method)
    reset_metrics(account)
    fault(account, {"kind": kind, "next": 1, "route": "record"})
    with pytest.raises(NetSuiteUnavailableError, match="is not retried: it may have run already"):
        getattr(client, method)(*arguments)
    assert record_requests(account) == {counted: 1}


def test_a_get_is_sent_again_after_a_dropped_answer(client, account):
    customer = a_customer_id(client)
    reset_metrics(account)
    fault(account, {"kind": "drop", "next": 1, "route": "record"})
    assert client.get_customer(customer)["id"] == int(customer)
    assert record_requests(account) == {"dropped": 1, "200": 1}


def test_a_repeated_idempotency_key_creates_nothing_and_names_the_first_record(client):
    name, key = unique("Once"), str(uuid.uuid4())
    first = client.post(CUSTOMERS, {"companyName": name}, idempotency_key=key)
    with pytest.raises(NetSuiteRecordError) as repeated:
        client.post(CUSTOMERS, {"companyName": name}, idempotency_key=key)
    assert repeated.value.code == "IDEMPOTENCY_ERROR"
    assert f"{CUSTOMERS}/{first}" in str(repeated.value)
    assert named(client, name) == [first]


# -- lookups by SuiteQL -----------------------------------------------------------------------------


def invoices(config: dict) -> list[dict]:
    return [r for r in rows(config, "transaction") if r["type"] == "CustInvc"]


def test_search_invoices_reads_every_page_and_filters(client, account):
    truth = invoices(account)
    everything = list(client.search_invoices())
    assert [int(r["id"]) for r in everything] == [r["id"] for r in truth]
    assert len(everything) > 3 * client.page_size
    customer = truth[0]["entity"]
    mine = [int(r["id"]) for r in client.search_invoices(customer_id=customer)]
    assert mine == [r["id"] for r in truth if r["entity"] == customer]
    open_by_code = [int(r["id"]) for r in client.search_invoices(status="A")]
    open_by_text = [int(r["id"]) for r in client.search_invoices(status="Open")]
    assert open_by_code == open_by_text == [r["id"] for r in truth if r["status"] == "A"]
    assert {r["statustext"] for r in client.search_invoices(status="A")} == {"Open"}


def test_search_invoices_quotes_values_and_reads_since(client, account):
    assert list(client.search_invoices(status="O'Brien")) == []
    last = invoices(account)[-1]
    moved = {"table": "transaction", "ids": [last["id"]]}
    control(account, "POST", "/_emulator/update", {**moved, "at": "2031-06-01T00:00:00+00:00"})
    try:
        assert [int(r["id"]) for r in client.search_invoices(since="2030-01-01 00:00:00")] == [last["id"]]
    finally:  # back where it was, so later incremental runs are not bookmarked in 2031
        control(account, "POST", "/_emulator/update", {**moved, "at": last["lastmodifieddate"]})
    with pytest.raises(ValueError, match="not a NetSuite internal id"):
        list(client.search_invoices(customer_id="1 OR 1=1"))


def test_get_all_reads_a_whole_table_by_keyset(client, account):
    truth = rows(account, "customer")
    every = list(client.get_all("customer"))
    assert [int(r["id"]) for r in every] == [r["id"] for r in truth]
    assert all("links" not in r for r in every)
    inactive = [int(r["id"]) for r in client.get_all("customer", where="isinactive = 'T'")]
    assert inactive == [r["id"] for r in truth if r["isinactive"]]
    with pytest.raises(ValueError, match="not a SuiteQL table"):
        list(client.get_all("customer; DELETE"))


# -- the tap sees what the client wrote ---------------------------------------------------------------


def test_the_next_incremental_run_reads_what_the_client_wrote(client, account, tmp_path):
    first = run_tap(tmp_path, account)
    assert first.returncode == 0, first.stderr[-3000:]
    [*_, state] = messages(first.stdout, "STATE")
    customer = client.post(CUSTOMERS, {"companyName": unique("Incremental")})
    invoice = client.post(INVOICES, {"entity": {"id": customer}, "memo": "written by the client"})
    client.patch(f"{INVOICES}/{invoice}", {"memo": "edited by the client"})
    gone = a_customer_id(client)
    client.delete(f"{CUSTOMERS}/{gone}")

    second = run_tap(tmp_path, account, state=state["value"])
    assert second.returncode == 0, second.stderr[-3000:]
    customers = {r["record"]["id"]: r["record"] for r in messages(second.stdout, "RECORD", "customer")}
    invoices_read = {r["record"]["id"]: r["record"] for r in messages(second.stdout, "RECORD", "invoice")}
    deleted = {r["record"]["recordid"] for r in messages(second.stdout, "RECORD", "deleted_record")}
    assert int(customer) in customers
    assert invoices_read[int(invoice)]["memo"] == "edited by the client"
    assert invoices_read[int(invoice)]["entity"] == int(customer)
    assert int(gone) in deleted
    # Incremental, not a full re-read: the first run's rows do not come again.
    assert len(customers) < len(messages(first.stdout, "RECORD", "customer"))
