"""Which authentication the settings pick, and the OAuth 2.0 assertion the tap signs."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tap_netsuite.auth import ClientCredentialsAuth, TokenAuth, make_auth, parse_account_id
from tap_netsuite.errors import NetSuiteConfigError

ACCOUNT = parse_account_id("1234567_SB1")
BASE = "https://1234567-sb1.suitetalk.api.netsuite.com"
TBA = {"consumer_key": "ck", "consumer_secret": "cs", "token_id": "ti", "token_secret": "ts"}


def pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OAUTH2 = {"client_id": "cid", "certificate_id": "cert-1", "private_key": pem(RSA_KEY)}


def test_token_based_when_its_four_settings_are_given():
    assert isinstance(make_auth(BASE, ACCOUNT, TBA), TokenAuth)


def test_oauth2_when_its_settings_are_given(tmp_path):
    assert isinstance(make_auth(BASE, ACCOUNT, OAUTH2), ClientCredentialsAuth)
    (tmp_path / "key.pem").write_text(pem(EC_KEY))
    by_path = {"client_id": "cid", "certificate_id": "c", "private_key_path": str(tmp_path / "key.pem")}
    assert isinstance(make_auth(BASE, ACCOUNT, by_path), ClientCredentialsAuth)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({**TBA, **OAUTH2}, "two authentication methods .* Keep one"),
        ({"consumer_key": "ck", "token_id": "ti"}, "needs consumer_secret, token_secret as well"),
        ({"client_id": "cid", "private_key": pem(RSA_KEY)}, "need certificate_id as well"),
        ({}, "No credentials: set consumer_key"),
        ({**OAUTH2, "private_key": "not a key"}, "not an unencrypted PEM private key"),
        ({"client_id": "c", "certificate_id": "c", "private_key_path": "/nonexistent/key.pem"}, "cannot be read"),
    ],
)
def test_half_or_both_methods_name_what_to_add_or_remove(settings, message):
    with pytest.raises(NetSuiteConfigError, match=message):
        make_auth(BASE, ACCOUNT, settings)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.mark.parametrize(("key", "alg"), [(RSA_KEY, "PS256"), (EC_KEY, "ES256")])
def test_assertion_is_signed_as_netsuite_requires(key, alg):
    auth = make_auth(BASE, ACCOUNT, {**OAUTH2, "private_key": pem(key)})
    token = auth.assertion()
    head, body, sig = token.split(".")
    header, claims = json.loads(_b64(head)), json.loads(_b64(body))
    assert header == {"typ": "JWT", "alg": alg, "kid": "cert-1"}
    assert claims["iss"] == "cid"
    assert claims["aud"] == BASE + "/services/rest/auth/oauth2/v1/token"
    assert claims["scope"] == ["rest_webservices"]
    assert 0 < claims["exp"] - claims["iat"] <= 3600
    signed = f"{head}.{body}".encode()
    if alg == "PS256":
        key.public_key().verify(_b64(sig), signed, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    else:
        raw = _b64(sig)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key.public_key().verify(der, signed, ec.ECDSA(hashes.SHA256()))
    assert pem(key) not in repr(auth)
