"""`tap-netsuite --test`: what a person sees when the connection works, and when it does not."""

from __future__ import annotations

import datetime as dt
import types
from email.utils import format_datetime

from helpers import assert_no_secret, run_tap, running_emulator

from tap_netsuite.diagnose import clock_skew


def test_a_working_connection_reports_each_stream(emulator, tmp_path):
    result = run_tap(tmp_path, emulator, "--test")
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "realm      : 1234567_SB1" in out and "(a sandbox)" in out
    assert f"REST host  : {emulator['base_url']}" in out
    for stream in ("customer", "invoice", "deleted_record"):
        assert f"  {stream}" in out
    assert out.count(": ok") == 3
    assert "clock skew :" in out and ", fine" in out
    assert '"type": "RECORD"' not in out and '"type":"RECORD"' not in out


def test_refused_credentials_are_tried_once_and_diagnosed(emulator, tmp_path):
    config = {**emulator, "consumer_secret": "wrong-consumer-secret"}
    result = run_tap(tmp_path, config, "--test")
    assert result.returncode == 1
    err = result.stderr
    assert "Traceback" not in err
    assert "FAILED: NetSuite refused the credentials (HTTP 401)" in err
    assert err.count("not tried, the credentials were refused") == 2
    assert "clock skew :" in err
    for check in ("realm must be the account id", "Log in using Access Tokens", "View Login Audit Trail"):
        assert check in err
    assert_no_secret(config, result.stdout, err)


def test_a_table_the_role_cannot_read_names_the_permission(tmp_path):
    with running_emulator(tmp_path, "--deny-table", "deletedrecord", customers=5, invoices=5) as config:
        result = run_tap(tmp_path, config, "--test")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Record 'deletedrecord' was not found" in result.stderr
    assert "Lists > Deleted Records (View)" in result.stderr
    assert "customer           : ok" in result.stderr


def test_clock_skew_past_five_minutes_is_called_out():
    now = dt.datetime.now(dt.timezone.utc)
    client = types.SimpleNamespace(
        last_server_date=format_datetime(now - dt.timedelta(minutes=10), usegmt=True), last_local_date=now
    )
    assert 599 < clock_skew(client) < 601
    client.last_server_date = None
    assert clock_skew(client) is None


def test_a_column_or_table_that_needs_a_feature_says_which():
    from tap_netsuite.hints import permission_hint

    column = (
        "Invalid search query. Detailed unprocessed description follows. Search error occurred: "
        "Unknown identifier 'subsidiary'. Available identifiers are: {transaction=transaction}."
    )
    assert "NetSuite OneWorld" in permission_hint(column)
    table = "Invalid search query. Detailed unprocessed description follows. Invalid search type: subsidiary."
    assert "NetSuite OneWorld" in permission_hint(table)
    assert permission_hint("Search error occurred: Unknown identifier 'balance'.") == ""
