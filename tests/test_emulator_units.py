"""Unit tests of the emulator's own pieces: RFC 5849 signing and NetSuite value formats."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from oauthlib import oauth1

from netsuite_emulator import formats
from netsuite_emulator.signing import (
    Credentials,
    Verifier,
    base_string,
    base_string_uri,
    parse_authorization,
    signed_parameters,
)

LA = ZoneInfo("America/Los_Angeles")

# RFC 5849 §3.4.1.1, the example request and the base string it must give.
RFC_HEADER = (
    'OAuth realm="Example",\n    oauth_consumer_key="9djdj82h48djs9d2",\n'
    '    oauth_token="kkk9d7dh3k39sjv7",\n    oauth_signature_method="HMAC-SHA1",\n'
    '    oauth_timestamp="137131201",\n    oauth_nonce="7d8f3e4a",\n'
    '    oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"'
)
RFC_BASE_STRING = (
    "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D"
    "%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a"
    "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3"
    "k39sjv7"
)


def test_rfc5849_base_string_example():
    oauth = parse_authorization(RFC_HEADER)
    assert dict(oauth)["oauth_signature"] == "bYT5CMsGcbgUdFHObYMEfcx6bsw="
    params = signed_parameters(oauth, "b5=%3D%253D&a3=a&c%40=&a2=r%20b", "c2&a3=2+q")
    uri = base_string_uri("http", "example.com", "/request")
    assert base_string("POST", uri, params) == RFC_BASE_STRING


@pytest.mark.parametrize(
    ("scheme", "host", "path", "uri"),
    [
        ("HTTP", "EXAMPLE.COM:80", "/r%20v/X", "http://example.com/r%20v/X"),
        ("https", "www.example.net:8080", "/", "https://www.example.net:8080/"),
        (
            "http",
            "127.0.0.1:8123",
            "/services/rest/query/v1/suiteql",
            "http://127.0.0.1:8123/services/rest/query/v1/suiteql",
        ),
    ],
)
def test_base_string_uri(scheme, host, path, uri):
    assert base_string_uri(scheme, host, path) == uri


def test_verifier_accepts_oauthlib_signature_once():
    creds = Credentials("1234567_SB1", "ck", "cs&x", "tk", "ts ~")
    now = 1_700_000_000
    verifier = Verifier(creds, clock=lambda: now)
    client = oauth1.Client(
        "ck",
        client_secret="cs&x",
        resource_owner_key="tk",
        resource_owner_secret="ts ~",
        realm="1234567_SB1",
        signature_method=oauth1.SIGNATURE_HMAC_SHA256,
        timestamp=str(now),
        nonce="n1",
    )
    url = "http://127.0.0.1:9/services/rest/query/v1/suiteql?limit=10&offset=20"
    _, headers, _ = client.sign(url, http_method="POST")
    uri = base_string_uri("http", "127.0.0.1:9", "/services/rest/query/v1/suiteql")
    auth = headers["Authorization"]
    assert verifier.check("POST", uri, "limit=10&offset=20", auth) is None
    assert "used before" in verifier.check("POST", uri, "limit=10&offset=20", auth)
    fresh = Verifier(creds, clock=lambda: now)
    assert "mismatch" in fresh.check("POST", uri, "limit=10&offset=0", auth)
    late = Verifier(creds, clock=lambda: now + 301)
    assert "from the server clock" in late.check("POST", uri, "limit=10&offset=20", auth)


def test_parse_local_reads_account_time_with_dst():
    fmt = "YYYY-MM-DD HH24:MI:SS"
    assert (
        formats.parse_local("2024-07-01 12:00:00", fmt, LA) == datetime(2024, 7, 1, 19, tzinfo=timezone.utc).timestamp()
    )
    # The repeated hour when daylight saving ends: the first occurrence (PDT, UTC-7).
    assert (
        formats.parse_local("2024-11-03 01:30:00", fmt, LA)
        == datetime(2024, 11, 3, 8, 30, tzinfo=timezone.utc).timestamp()
    )
    # The skipped hour in spring: read with the offset before the change (PST, UTC-8).
    assert (
        formats.parse_local("2024-03-10 02:30:00", fmt, LA)
        == datetime(2024, 3, 10, 10, 30, tzinfo=timezone.utc).timestamp()
    )
    assert (
        formats.parse_local("11/24/2026", "MM/DD/YYYY", LA)
        == datetime(2026, 11, 24, 8, tzinfo=timezone.utc).timestamp()
    )
    with pytest.raises(formats.FormatError):
        formats.parse_local("2024-01-01", fmt, LA)


def test_to_char_and_user_date():
    epoch = datetime(2024, 11, 3, 9, 30, 5, tzinfo=timezone.utc).timestamp()  # 01:30 PST
    assert formats.to_char_datetime(epoch, "YYYY-MM-DD HH24:MI:SS", LA) == "2024-11-03 01:30:05"
    assert formats.to_char_datetime(epoch, 'DD-MON-YY HH:MI PM "x"', LA) == "03-NOV-24 01:30 AM x"
    assert formats.user_date(epoch, "M/D/YYYY", LA) == "11/3/2024"
    assert formats.user_date(epoch, "D.M.YYYY", LA) == "3.11.2024"
    assert formats.user_date(epoch, "YYYY-MM-DD", LA) == "2024-11-03"
    with pytest.raises(formats.FormatError):
        formats.oracle_tokens("YYYY-QQ")


@pytest.mark.parametrize(
    "zone", ["America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]
)
def test_local_clock_matches_datetime_around_every_transition(zone):
    """The per-hour clock renders exactly what datetime renders: through both DST changes of
    two years (every 7 minutes 13 seconds), with and without sub-seconds."""
    tz = ZoneInfo(zone)
    clock = formats.LocalClock(tz)
    epochs = []
    for year in (2024, 2025):
        for month in (3, 4, 9, 10, 11):
            start = int(datetime(year, month, 1, tzinfo=timezone.utc).timestamp())
            epochs += [start + step * 433 for step in range(31 * 86400 // 433)]
    epochs += [e + 0.25 for e in epochs[::50]] + [e + 0.9999997 for e in epochs[::50]]
    for epoch in epochs:
        local = datetime.fromtimestamp(epoch, tz)
        assert clock.seconds(epoch) == local.replace(tzinfo=None, microsecond=0).isoformat(" ")
        assert clock.day(epoch) == local.date().isoformat()


@pytest.mark.parametrize(
    ("value", "with_zero", "without_zero"),
    [
        (1250.5, "1250.5", "1250.5"),
        (1250.0, "1250", "1250"),
        (0.5, "0.5", ".5"),
        (-0.5, "-0.5", "-.5"),
        (7, "7", "7"),
        (0.0, "0", "0"),
        (1.0823, "1.0823", "1.0823"),
        (-0.0, "0", "0"),
        (0.1 + 0.2, "0.3", ".3"),
        (1.123456789, "1.12345679", "1.12345679"),
        (1e16, "10000000000000000", "10000000000000000"),
        (1.5e-9, "0", "0"),
        (2e-8, "0.00000002", ".00000002"),
    ],
)
def test_number_text(value, with_zero, without_zero):
    assert formats.number_text(value) == with_zero
    assert formats.number_text(value, leading_zero=False) == without_zero


def test_to_char_number_formats():
    assert formats.to_char_number(1250.5, "9999.99", leading_zero=True) == "1250.50"
    assert formats.to_char_number(0.5, "999.99", leading_zero=True) == ".50"
    assert formats.to_char_number(0.5, "990.99", leading_zero=True) == "0.50"
    assert formats.to_char_number(1234567.891, "FM9,999,999.99", leading_zero=True) == "1,234,567.89"
