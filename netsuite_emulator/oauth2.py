"""OAuth 2.0 client credentials (docs/netsuite.md §6): the token endpoint and bearer tokens.

The JWT assertion is verified here with `cryptography` alone, from RFC 7515/7518: the tap signs
with PyJWT, and verifying with PyJWT too would only mirror its understanding back to it.
Errors follow RFC 6749 §5.2: 400 {"error", "error_description"}.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeGuard
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .responses import Reply, plain_json

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_LIFETIME_S = 3600  # exp at most 60 minutes after iat (§6)
_HASH: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_CURVE = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}


class RefusedError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def generate_key(kind: str, path: Path) -> object:
    """A fresh private key written as PKCS#8 PEM (for tests); answers its public key."""
    key = rsa.generate_private_key(65537, 2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return key.public_key()


def load_public_key(path: Path) -> object:
    data = path.read_bytes()
    if b"CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


def verify_signature(alg: str, key: object, signed: bytes, signature: bytes) -> None:
    """RFC 7518 §3.4 (ES: raw r||s) and §3.5 (PS: PSS, MGF1, salt = hash length)."""
    if alg.startswith("PS") and isinstance(key, rsa.RSAPublicKey):
        algorithm = _HASH[alg[2:]]()
        key.verify(
            signature, signed, padding.PSS(mgf=padding.MGF1(algorithm), salt_length=algorithm.digest_size), algorithm
        )
    elif alg.startswith("ES") and isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, _CURVE[alg]):
        size = (key.curve.key_size + 7) // 8
        if len(signature) != 2 * size:
            raise InvalidSignature()
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(_HASH[alg[2:]]()))
    else:
        raise InvalidSignature()


class TokenService:
    """One integration (client id) mapped to one certificate (id + public key)."""

    def __init__(
        self,
        client_id: str,
        certificate_id: str,
        public_key: object,
        lifetime_s: int = 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id, self.certificate_id = client_id, certificate_id
        self.public_key, self.lifetime_s, self.clock = public_key, lifetime_s, clock
        self._tokens: dict[str, tuple[float, frozenset]] = {}
        self._lock = threading.Lock()

    def token(self, body: bytes, content_type: str, audience: str) -> Reply:
        try:
            if not content_type.startswith("application/x-www-form-urlencoded"):
                raise RefusedError("invalid_request", "The request must be form-encoded.")
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            if form.get("grant_type") != "client_credentials":
                raise RefusedError(
                    "unsupported_grant_type" if form.get("grant_type") else "invalid_request",
                    "grant_type must be client_credentials.",
                )
            if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
                raise RefusedError(
                    "invalid_request", f"client_assertion_type must be {ASSERTION_TYPE} with a client_assertion."
                )
            scopes = self._verify(form["client_assertion"], audience)
        except RefusedError as exc:
            return plain_json(400, {"error": exc.error, "error_description": exc.description})
        token = secrets.token_urlsafe(48)
        with self._lock:
            now = self.clock()
            self._tokens = {t: v for t, v in self._tokens.items() if v[0] > now}
            self._tokens[token] = (now + self.lifetime_s, scopes)
        return plain_json(200, {"access_token": token, "expires_in": str(self.lifetime_s), "token_type": "bearer"})

    def _verify(self, assertion: str, audience: str) -> frozenset:
        parts = assertion.split(".")
        if len(parts) != 3:
            raise RefusedError("invalid_request", "The client assertion is not a JWT.")
        try:
            header, claims = json.loads(_b64(parts[0])), json.loads(_b64(parts[1]))
            signature = _b64(parts[2])
        except ValueError:
            raise RefusedError("invalid_request", "The client assertion is not a JWT.") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise RefusedError("invalid_request", "The client assertion is not a JWT.")
        alg = header.get("alg")
        if alg not in ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512"):
            raise RefusedError(
                "invalid_request", f"Algorithm {alg} is not supported; use PS256, PS384, PS512, ES256, ES384 or ES512."
            )
        if header.get("kid") != self.certificate_id:
            raise RefusedError("invalid_client", "Unknown certificate id (kid).")
        if claims.get("iss") != self.client_id:
            raise RefusedError("invalid_client", "Unknown client id (iss).")
        try:
            verify_signature(alg, self.public_key, f"{parts[0]}.{parts[1]}".encode(), signature)
        except (InvalidSignature, ValueError):
            raise RefusedError("invalid_grant", "The client assertion signature is invalid.") from None
        aud = claims.get("aud")
        if aud != audience and not (isinstance(aud, list) and audience in aud):
            raise RefusedError("invalid_grant", f"The audience (aud) must be {audience}.")
        iat, exp = claims.get("iat"), claims.get("exp")
        now = self.clock()
        if not (_number(iat) and _number(exp)):
            raise RefusedError("invalid_grant", "iat and exp must be numbers.")
        if exp <= now:
            raise RefusedError("invalid_grant", "The client assertion has expired (exp).")
        if exp - iat > MAX_LIFETIME_S or iat > now + 300:
            raise RefusedError("invalid_grant", "exp may be at most 3600 s after iat, and iat not in the future.")
        scope = claims.get("scope")
        scopes = scope.replace(",", " ").split() if isinstance(scope, str) else scope
        if not isinstance(scopes, list) or not {"rest_webservices", "restlets"} & set(scopes):
            raise RefusedError("invalid_grant", "scope must contain rest_webservices or restlets.")
        return frozenset(scopes)

    def expire_all(self) -> int:
        """End the life of every token issued so far, as if it had run out now; how many there were.
        (A test control: tests need not wait out a token's lifetime.)"""
        with self._lock:
            now = self.clock()
            self._tokens = {token: (now, scopes) for token, (_, scopes) in self._tokens.items()}
            return len(self._tokens)

    def check(self, token: str, scope: str) -> str | None:
        """None when the bearer token is live and carries the scope, else why not."""
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None:
            return "The access token is unknown."
        if entry[0] <= self.clock():
            return "The access token has expired."
        if scope not in entry[1]:
            return f"The access token lacks the {scope} scope."
        return None
