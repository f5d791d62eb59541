"""The account's concurrency limit: the emulator's governanceLimits, `--test`'s report, `max_concurrency: auto`."""

from __future__ import annotations

import pytest
import requests
from helpers import SECRET_KEYS, messages, metrics, run_tap, start_emulator, stop_emulator

from tap_netsuite import governance
from tap_netsuite.client import NetSuiteClient
from tap_netsuite.errors import NetSuiteConfigError, NetSuiteError


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """Pool 15, 5 of it allocated to other integrations; this one has no limit of its own."""
    proc, config = start_emulator(
        tmp_path_factory.mktemp("shared"),
        "--concurrency",
        "15",
        "--allocated-elsewhere",
        "5",
        "--latency-base-ms",
        "20",
        customers=300,
        invoices=300,
    )
    yield config
    stop_emulator(proc)


def _client(config: dict) -> NetSuiteClient:
    return NetSuiteClient(**{k: config[k] for k in ("account_id", "base_url", *SECRET_KEYS)})


def test_governance_limits_answers_the_documented_shape(shared, tmp_path):
    client = _client(shared)
    try:
        assert client.rest_get(governance.PATH) == {
            "accountConcurrencyLimit": 15,
            "accountUnallocatedConcurrencyLimit": 10,
            "integrationLimitType": "accountLimit",
        }
    finally:
        client.close()
    proc, config = start_emulator(
        tmp_path, "--concurrency", "8", "--integration-concurrency", "3", "--allocated-elsewhere", "1", customers=5
    )
    client = _client(config)
    try:
        answer = client.rest_get(governance.PATH)
        limits = governance.limits(client)
    finally:
        client.close()
        stop_emulator(proc)
    assert answer == {
        "accountConcurrencyLimit": 8,
        "accountUnallocatedConcurrencyLimit": 4,
        "integrationConcurrencyLimit": 3,
        "integrationLimitType": "integrationSpecific",
    }
    assert governance.share(limits) == 3  # allocated to this integration: all of it


def test_test_reports_the_accounts_limit_and_what_is_allocated(shared, tmp_path):
    result = run_tap(tmp_path, {**shared, "max_concurrency": 4}, "--test")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "limit is 15 requests at once, 5 allocated to integrations, 10 unallocated" in result.stdout
    assert "tap uses   : 4 at most" in result.stdout
    again = run_tap(tmp_path, {**shared, "max_concurrency": "auto"}, "--test")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "tap uses   : auto, 5 at most" in again.stdout
    over = run_tap(tmp_path, {**shared, "max_concurrency": 12}, "--test")
    assert "MORE than the 10 this integration may use" in over.stdout


def test_auto_takes_half_the_unallocated_limit_and_holds_it(shared, tmp_path):
    metrics(shared, reset=True)
    result = run_tap(tmp_path, {**shared, "page_size": 20, "max_concurrency": "auto"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "max_concurrency auto: 5 of the account's limit is 15" in result.stderr
    seen = metrics(shared)
    assert 1 < seen["max_in_flight"] <= 5
    assert seen["throttled_429"] == 0
    assert len(messages(result.stdout, "RECORD", "invoice")) == 300
    assert seen["requests"]["governance"] == {"200": 1}  # asked once per run


def test_auto_without_an_administrators_role_is_the_default_and_says_why(tmp_path):
    proc, config = start_emulator(tmp_path, "--governance-role", "other", "--concurrency", "5", customers=20)
    try:
        metrics(config, reset=True)
        result = run_tap(tmp_path, {**config, "page_size": 5, "max_concurrency": "auto"})
        seen = metrics(config)
        report = run_tap(tmp_path, {**config, "max_concurrency": "auto"}, "--test")
    finally:
        stop_emulator(proc)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "governanceLimits gave no limit" in result.stderr and "using 2" in result.stderr
    assert seen["max_in_flight"] <= 2
    assert "the account's limit is unknown" in report.stdout


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 2), (5, 5), ("7", 7), ("auto", None), (" AUTO ", None), (100, 100)],
)
def test_max_concurrency_setting(value, expected):
    assert governance.setting(value) == expected


@pytest.mark.parametrize("value", [0, 101, "0", "many", True, 2.5])
def test_max_concurrency_setting_refuses(value):
    with pytest.raises(NetSuiteConfigError, match="max_concurrency must be"):
        governance.setting(value)


def test_share_of_the_limits():
    assert governance.share({"accountConcurrencyLimit": 5, "accountUnallocatedConcurrencyLimit": 5}) == 2
    assert governance.share({"accountConcurrencyLimit": 20, "accountUnallocatedConcurrencyLimit": 20}) == 10
    assert governance.share({"accountConcurrencyLimit": 5, "accountUnallocatedConcurrencyLimit": 1}) == 1
    assert (
        governance.share(
            {
                "accountConcurrencyLimit": 15,
                "accountUnallocatedConcurrencyLimit": 3,
                "integrationConcurrencyLimit": 12,
                "integrationLimitType": "integrationSpecific",
            }
        )
        == 12
    )


def test_an_unsigned_governance_request_is_refused(shared):
    answer = requests.get(shared["base_url"] + governance.PATH, timeout=30)
    assert answer.status_code == 401
    client = _client({**shared, "token_secret": "0" * 64})
    try:
        with pytest.raises(NetSuiteError):
            client.rest_get(governance.PATH)
    finally:
        client.close()
