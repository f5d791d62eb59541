"""Who the tap is to NetSuite: the account's realm and host, and how requests are authorised.

Two methods. OAuth 2.0 client credentials (`ClientCredentialsAuth`) is the one
for new integrations from NetSuite 2027.1 on. Token-based authentication
(`TokenAuth`) is OAuth 1.0a (RFC 5849) with HMAC-SHA256, signed by
oauthlib. The signature covers the method, the URL and every query parameter
(`limit`, `offset`), never the JSON body, so each request and each retry is
signed again with a fresh nonce and timestamp when requests prepares it.
"""

from __future__ import annotations

import re
import threading
import time
import typing as t
from pathlib import Path

import requests
from oauthlib import oauth1

from tap_netsuite.errors import NetSuiteAuthError, NetSuiteConfigError

if t.TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9]+([_-][A-Za-z0-9]+)?$")


class Account(t.NamedTuple):
    """The two spellings NetSuite uses for one account id."""

    realm: str  # OAuth realm: upper case, underscore ("1234567_SB1"; docs/netsuite.md §1)
    host: str  # host label: lower case, dash ("1234567-sb1")

    @property
    def is_sandbox(self) -> bool:
        return "_SB" in self.realm

    @property
    def rest_url(self) -> str:
        return f"https://{self.host}.suitetalk.api.netsuite.com"

    @property
    def restlet_url(self) -> str:
        return f"https://{self.host}.restlets.api.netsuite.com"


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
        request.headers["Authorization"] = self.authorization(request.method or "", request.url or "")
        return request

    def authorization(self, method: str, url: str, *, nonce: str | None = None, timestamp: str | None = None) -> str:
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


TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 - a URL path, not a password
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 1800  # NetSuite refuses an `exp` more than 60 minutes after `iat` (docs/netsuite.md §6)
RENEW_BEFORE = 120  # seconds before expiry when a token is replaced (a tenth of short lifetimes)


class ClientCredentialsAuth(requests.auth.AuthBase):
    """OAuth 2.0 machine-to-machine: a certificate-signed JWT traded for a Bearer token.

    One token serves every stream and thread; it is fetched on first use,
    renewed shortly before it expires, and once more when NetSuite answers
    401 invalid_token (`invalidate`). Neither the key nor a token is ever
    shown in a repr, a log or an error.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        certificate_id: str,
        private_key: str,
        scopes: t.Sequence[str],
        session_factory: t.Callable[[], requests.Session] = requests.Session,
        clock: t.Callable[[], float] = time.time,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.certificate_id = certificate_id
        self.scopes = list(scopes)
        self._key, self._algorithm = _load_private_key(private_key)
        self._session_factory = session_factory
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self.tokens_fetched = 0

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(client_id={self.client_id!r}, certificate_id={self.certificate_id!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        return request

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                self._token, lifetime = self._fetch()
                self._renew_at = self._clock() + lifetime - min(RENEW_BEFORE, lifetime / 10)
                self.tokens_fetched += 1
            return self._token

    def invalidate(self, token_used: str | None = None) -> None:
        """Forget the token (NetSuite refused it); the next request fetches a new one."""
        with self._lock:
            if token_used is None or token_used == self._token:
                self._token = None

    def assertion(self) -> str:
        now = int(self._clock())
        claims = {
            "iss": self.client_id,
            "scope": self.scopes,
            "aud": self.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
        }
        headers = {"typ": "JWT", "kid": self.certificate_id}
        import jwt  # noqa: PLC0415 - only OAuth 2.0 needs it; token-based auth starts faster without

        return jwt.encode(claims, self._key, algorithm=self._algorithm, headers=headers)

    def _fetch(self) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.assertion(),
        }
        with self._session_factory() as session:
            try:
                response = session.post(self.token_url, data=form, timeout=60)
            except requests.RequestException as exc:
                msg = f"Could not reach NetSuite's token endpoint {self.token_url}: {type(exc).__name__}."
                raise NetSuiteAuthError(msg) from None
            if response.status_code != 200:
                raise NetSuiteAuthError(self._refusal(response))
            answer = response.json()
        return answer["access_token"], float(answer.get("expires_in", 3600))

    def _refusal(self, response: requests.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error", f"HTTP {response.status_code}") if isinstance(body, dict) else ""
        detail = body.get("error_description", "") if isinstance(body, dict) else ""
        return (
            f"NetSuite refused the OAuth 2.0 client credentials (HTTP {response.status_code} {error}"
            f"{': ' + detail if detail else ''}) at {self.token_url}.\n"
            f"Used client_id {self.client_id!r}, certificate_id {self.certificate_id!r}, "
            f"{self._algorithm}. Check:\n"
            "- certificate_id is the id NetSuite gave the certificate in Setup > Integration > "
            "OAuth 2.0 Client Credentials (M2M) Setup, and the mapping is not revoked or expired;\n"
            "- private_key is the key of the certificate uploaded there (RSA for PS256, EC P-256 for ES256);\n"
            "- client_id is the integration record's client id, with the Client Credentials grant enabled;\n"
            "- the mapped role has 'REST Web Services' and this machine's clock is right;\n"
            "- Setup > Users/Roles > User Management > View Login Audit Trail shows the failed attempt."
        )


def _load_private_key(pem: str) -> tuple[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, str]:
    """The key and the JWT algorithm it signs with (imported here: only OAuth 2.0 needs it)."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: PLC0415

    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        msg = (
            "private_key is not an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----). "
            "Use the key whose certificate is uploaded in NetSuite's OAuth 2.0 Client Credentials setup."
        )
        raise NetSuiteConfigError(msg) from exc
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name != "secp256r1":
        msg = f"private_key is an EC key on {key.curve.name}; ES256 needs P-256 (secp256r1)."
        raise NetSuiteConfigError(msg)
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        msg = "private_key must be an RSA key (PS256) or an EC P-256 key (ES256)."
        raise NetSuiteConfigError(msg)
    return key, "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "PS256"


TBA_SETTINGS = ("consumer_key", "consumer_secret", "token_id", "token_secret")
OAUTH2_SETTINGS = ("client_id", "certificate_id", "private_key")
DEFAULT_SCOPES = ("rest_webservices",)


def make_auth(base_url: str, account: Account, settings: t.Mapping[str, t.Any]) -> TokenAuth | ClientCredentialsAuth:
    """The authorisation the settings ask for, or an error naming what to add or remove."""
    given = {name for name, value in settings.items() if value not in (None, "", []) and name != "oauth_scopes"}
    if "private_key_path" in given:
        given.add("private_key")
    tba = given & set(TBA_SETTINGS)
    oauth2 = given & set(OAUTH2_SETTINGS)
    if tba and oauth2:
        msg = (
            f"Settings for two authentication methods are present: token-based ({', '.join(sorted(tba))}) "
            f"and OAuth 2.0 ({', '.join(sorted(oauth2))}). Keep one: remove the settings of the other."
        )
        raise NetSuiteConfigError(msg)
    if oauth2:
        missing = [name for name in OAUTH2_SETTINGS if name not in given]
        if missing:
            msg = f"OAuth 2.0 client credentials need {', '.join(missing)} as well (private_key or private_key_path)."
            raise NetSuiteConfigError(msg)
        return ClientCredentialsAuth(
            token_url=base_url + TOKEN_PATH,
            client_id=settings["client_id"],
            certificate_id=settings["certificate_id"],
            private_key=_read_private_key(settings),
            scopes=settings.get("oauth_scopes") or DEFAULT_SCOPES,
        )
    missing = [name for name in TBA_SETTINGS if name not in given]
    if len(missing) == len(TBA_SETTINGS):
        msg = (
            "No credentials: set consumer_key, consumer_secret, token_id and token_secret (token-based "
            "authentication), or client_id, certificate_id and private_key (OAuth 2.0 client credentials)."
        )
        raise NetSuiteConfigError(msg)
    if missing:
        msg = f"Token-based authentication needs {', '.join(missing)} as well."
        raise NetSuiteConfigError(msg)
    return TokenAuth(realm=account.realm, **{name: settings[name] for name in TBA_SETTINGS})


def _read_private_key(settings: t.Mapping[str, t.Any]) -> str:
    if settings.get("private_key"):
        if settings.get("private_key_path"):
            msg = "Both private_key and private_key_path are set: keep one."
            raise NetSuiteConfigError(msg)
        return settings["private_key"]
    path = settings["private_key_path"]
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"private_key_path {path!r} cannot be read ({exc.strerror}); give the PEM file's path."
        raise NetSuiteConfigError(msg) from None
