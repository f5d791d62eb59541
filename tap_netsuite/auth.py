"""Who the tap is to NetSuite: the account's realm and host, and request signing.

Token-based authentication is OAuth 1.0a (RFC 5849) with HMAC-SHA256, signed by
oauthlib. The signature covers the method, the URL and every query parameter
(`limit`, `offset`), never the JSON body, so each request and each retry is
signed again with a fresh nonce and timestamp when requests prepares it.
"""

from __future__ import annotations

import re
import typing as t

import requests
from oauthlib import oauth1

from tap_netsuite.errors import NetSuiteConfigError

_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9]+([_-][A-Za-z0-9]+)?$")


class Account(t.NamedTuple):
    """The two spellings NetSuite uses for one account id."""

    realm: str  # OAuth realm: upper case, underscore ("1234567_SB1")
    host: str  # host label: lower case, dash ("1234567-sb1")

    @property
    def is_sandbox(self) -> bool:
        return "_SB" in self.realm

    @property
    def rest_url(self) -> str:
        return f"https://{self.host}.suitetalk.api.netsuite.com"


def parse_account_id(account_id: str) -> Account:
    """Normalise an account id typed in any case with `_` or `-`.

    `1234567_sb1` and `1234567-SB1` both give realm `1234567_SB1` and host
    `1234567-sb1`; a realm in any other form is refused by NetSuite with a 401.
    """
    value = (account_id or "").strip()
    if not _ACCOUNT_ID.match(value):
        msg = (
            f"account_id {value!r} is not a NetSuite account id. Use the id shown in "
            "Setup > Company > Company Information, such as 1234567 or 1234567_SB1."
        )
        raise NetSuiteConfigError(msg)
    return Account(realm=value.upper().replace("-", "_"), host=value.lower().replace("_", "-"))


class TokenAuth(requests.auth.AuthBase):
    """Signs each request with NetSuite token-based authentication (OAuth 1.0a)."""

    def __init__(
        self,
        *,
        realm: str,
        consumer_key: str,
        consumer_secret: str,
        token_id: str,
        token_secret: str,
    ) -> None:
        self.realm = realm
        self._client_args = {
            "client_key": consumer_key,
            "client_secret": consumer_secret,
            "resource_owner_key": token_id,
            "resource_owner_secret": token_secret,
        }

    def __repr__(self) -> str:  # never show the secrets
        return f"TokenAuth(realm={self.realm!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self.authorization(request.method, request.url)
        return request

    def authorization(
        self, method: str, url: str, *, nonce: str | None = None, timestamp: str | None = None
    ) -> str:
        """The `Authorization: OAuth ...` value for one request (fresh nonce and time by default)."""
        client = oauth1.Client(
            **self._client_args,
            signature_method=oauth1.SIGNATURE_HMAC_SHA256,
            realm=self.realm,
            nonce=nonce,
            timestamp=timestamp,
        )
        # The body is deliberately not passed: NetSuite does not sign JSON bodies,
        # and oauthlib would otherwise add an oauth_body_hash parameter.
        _, headers, _ = client.sign(url, http_method=method)
        return headers["Authorization"]
