"""Token-based authentication: the base string, the realm and host, the signed parameters.

The expected signatures are computed here from RFC 5849 §3.4 by hand, not by the
tap's signing library, so that a misunderstanding cannot hide in both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest
from oauthlib.oauth1.rfc5849 import signature as rfc5849

from tap_netsuite.auth import TokenAuth, parse_account_id
from tap_netsuite.errors import NetSuiteConfigError


def pct(value: str) -> str:
    """RFC 3986 percent-encoding as RFC 5849 §3.6 requires (space is %20)."""
    return quote(value, safe="-._~")


def base_string(method: str, url: str, oauth_params: dict[str, str], body: str = "") -> str:
    """RFC 5849 §3.4.1, written out from the RFC."""
    parts = urlsplit(url)
    base_uri = f"{parts.scheme.lower()}://{parts.hostname.lower()}{parts.path}"
    params = parse_qsl(parts.query, keep_blank_values=True)
    params += parse_qsl(body, keep_blank_values=True)
    params += [(k, v) for k, v in oauth_params.items() if k not in ("oauth_signature", "realm")]
    normalized = "&".join(f"{k}={v}" for k, v in sorted((pct(k), pct(v)) for k, v in params))
    return "&".join([method.upper(), pct(base_uri), pct(normalized)])


def header_params(authorization: str) -> dict[str, str]:
    assert authorization.startswith("OAuth ")
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', authorization)}


RFC_EXAMPLE_BASE_STRING = (
    "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
    "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_"
    "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m"
    "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk"
    "9d7dh3k39sjv7"
)
RFC_EXAMPLE_OAUTH = {
    "oauth_consumer_key": "9djdj82h48djs9d2",
    "oauth_token": "kkk9d7dh3k39sjv7",
    "oauth_signature_method": "HMAC-SHA1",
    "oauth_timestamp": "137131201",
    "oauth_nonce": "7d8f3e4a",
}


def test_rfc5849_base_string_example_by_hand():
    url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
    assert base_string("POST", url, RFC_EXAMPLE_OAUTH, body="c2&a3=2+q") == RFC_EXAMPLE_BASE_STRING


def test_rfc5849_base_string_example_by_the_signing_library():
    """oauthlib, which the tap signs with, reproduces the RFC's example exactly."""
    uri = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
    params = rfc5849.collect_parameters(
        uri_query=urlsplit(uri).query,
        body=[("c2", ""), ("a3", "2 q")],
        headers={"Authorization": "OAuth " + ", ".join(f'{k}="{v}"' for k, v in RFC_EXAMPLE_OAUTH.items())},
    )
    got = rfc5849.signature_base_string("POST", rfc5849.base_string_uri(uri), rfc5849.normalize_parameters(params))
    assert got == RFC_EXAMPLE_BASE_STRING


@pytest.mark.parametrize("typed", ["1234567_sb1", "1234567-SB1", "1234567_SB1", " 1234567-sb1 "])
def test_sandbox_account_realm_and_host(typed):
    account = parse_account_id(typed)
    assert account.realm == "1234567_SB1"
    assert account.host == "1234567-sb1"
    assert account.rest_url == "https://1234567-sb1.suitetalk.api.netsuite.com"
    assert account.is_sandbox


def test_production_and_test_drive_accounts():
    assert parse_account_id("1234567").realm == "1234567"
    assert parse_account_id("tstdrv1234567").realm == "TSTDRV1234567"
    assert parse_account_id("1234567_rp").host == "1234567-rp"
    assert not parse_account_id("1234567").is_sandbox


@pytest.mark.parametrize("bad", ["", "1234567 SB1", "https://1234567.app.netsuite.com", "12_34_56"])
def test_malformed_account_id_names_the_fix(bad):
    with pytest.raises(NetSuiteConfigError, match=r"account_id .* is not a NetSuite account id"):
        parse_account_id(bad)


AUTH = TokenAuth(realm="1234567_SB1", consumer_key="ck", consumer_secret="c s&/", token_id="tk", token_secret="t+s")


def test_limit_and_offset_are_signed_with_hmac_sha256():
    url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=1000&offset=2000"
    header = AUTH.authorization("POST", url, nonce="abc123", timestamp="1700000000")
    params = header_params(header)
    assert params["realm"] == "1234567_SB1"
    assert params["oauth_signature_method"] == "HMAC-SHA256"
    assert "oauth_body_hash" not in params  # NetSuite signs no JSON body
    expected_base = base_string("POST", url, params)
    assert "limit%3D1000" in expected_base and "offset%3D2000" in expected_base
    key = f"{pct('c s&/')}&{pct('t+s')}".encode()
    expected = base64.b64encode(hmac.new(key, expected_base.encode(), hashlib.sha256).digest()).decode()
    assert params["oauth_signature"] == expected
    # Another offset is another signature: the query parameters are inside it.
    other = header_params(
        AUTH.authorization("POST", url.replace("2000", "3000"), nonce="abc123", timestamp="1700000000")
    )
    assert other["oauth_signature"] != expected


def test_every_request_gets_a_fresh_nonce():
    url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=10&offset=0"
    nonces = {header_params(AUTH.authorization("POST", url))["oauth_nonce"] for _ in range(50)}
    assert len(nonces) == 50


def test_no_secret_in_the_authenticator_repr():
    assert "c s&/" not in repr(AUTH) and "t+s" not in repr(AUTH)
