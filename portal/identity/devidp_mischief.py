"""Tests only: the development provider misbehaving like a hostile or broken provider would.

Enabled by DEV_IDP_MISCHIEF in a testing configuration; the relying party code is untouched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from joserfc import jwe, jwt
from joserfc.jwk import RSAKey


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def misbehave(
    mischief: dict[str, Any],
    header: dict[str, Any],
    claims: dict[str, Any],
    key: RSAKey,
    encryption_key: RSAKey,
    encrypt: bool,
) -> str:
    for name, value in mischief.get("claims", {}).items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    header = {**header, **mischief.get("header", {})}
    alg = mischief.get("alg", "RS256")
    if alg == "none":
        head = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        signed = f"{head}.{_b64(json.dumps(claims).encode())}."
    elif alg == "HS256-public":
        # The classic confusion attack: the provider's public key used as an HMAC secret.
        head = _b64(json.dumps({**header, "alg": "HS256"}).encode())
        body = _b64(json.dumps(claims).encode())
        secret = key.as_pem(private=False)
        signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        signed = f"{head}.{body}.{_b64(signature)}"
    elif mischief.get("foreign_key"):
        stranger = RSAKey.generate_key(2048, private=True)
        stranger.ensure_kid()
        signed = jwt.encode({**header, "kid": stranger.kid}, claims, stranger)
    else:
        signed = jwt.encode(header, claims, key)
    if not mischief.get("encrypt", encrypt):
        return signed
    return jwe.encrypt_compact(
        {"alg": "RSA-OAEP", "enc": "A128CBC-HS256", "cty": "JWT"}, signed, encryption_key
    )
